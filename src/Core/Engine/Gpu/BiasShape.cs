namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// A bias gradient: for each channel, the sum over a shard's samples and over the channel's
/// <see cref="Area"/> positions of the upstream gradient (Area = 1 for fully connected layers).
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public readonly struct BiasShape(int channels, int area, int target)
{
    /// <summary>Channels (or outputs, for a fully connected layer): one bias each.</summary>
    public readonly int Channels = channels;

    /// <summary>Positions per channel in one sample's upstream gradient.</summary>
    public readonly int Area = area;

    /// <summary>Where the bias sits in the flat parameter vector (and so in each shard's gradient).</summary>
    public readonly int Target = target;

    /// <summary>Floats of upstream gradient per sample.</summary>
    public int SampleStride => Channels * Area;
}
