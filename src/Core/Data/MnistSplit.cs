using CnnDistributed.Core.Engine;

namespace CnnDistributed.Core.Data;

/// <summary>One validated split (train or test): raw 28×28 pixel bytes image after image, and labels 0–9.</summary>
public sealed class MnistSplit(byte[] pixels, byte[] labels)
{
    public byte[] Pixels { get; } = pixels;

    public byte[] Labels { get; } = labels;

    public int Count => Labels.Length;

    public ShardSamples All => new(Pixels, Labels);

    /// <summary>Copies the samples at <paramref name="indices"/>, in that order, into contiguous buffers.</summary>
    public void Gather(ReadOnlySpan<int> indices, Span<byte> pixels, Span<byte> labels) => throw new NotImplementedException();
}
