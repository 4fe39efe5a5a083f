namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// A bias gradient: for each channel, the sum over a shard's samples and over the channel's
/// <see cref="Area"/> positions of the upstream gradient (Area = 1 for fully connected layers).
/// </summary>
public readonly struct BiasShape(int channels, int area, int target)
{
    public readonly int Channels = channels;
    public readonly int Area = area;
    public readonly int Target = target;

    public int SampleStride => Channels * Area;
}
