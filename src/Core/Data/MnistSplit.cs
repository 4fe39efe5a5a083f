using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Data;

/// <summary>One validated split (train or test): raw 28x28 pixel bytes image after image, and labels 0–9.</summary>
public sealed class MnistSplit(byte[] pixels, byte[] labels)
{
    /// <summary>The images' pixel bytes, <see cref="ModelShape.Pixels"/> per image, in file order.</summary>
    public byte[] Pixels { get; } = pixels;

    /// <summary>One label byte per image, in the same order.</summary>
    public byte[] Labels { get; } = labels;

    /// <summary>The number of images (and labels) in the split.</summary>
    public int Count => Labels.Length;

    /// <summary>The whole split as one run of samples, without copying.</summary>
    public ShardSamples All => new(Pixels, Labels);

    /// <summary>Copies the samples at <paramref name="indices"/>, in that order, into contiguous buffers.</summary>
    public void Gather(ReadOnlySpan<int> indices, Span<byte> pixels, Span<byte> labels)
    {
        if (pixels.Length < indices.Length * ModelShape.Pixels || labels.Length < indices.Length)
        {
            throw new ArgumentException(
                $"gathering {indices.Length} samples needs {indices.Length * ModelShape.Pixels} pixel bytes "
                + $"and {indices.Length} label bytes, got {pixels.Length} and {labels.Length}");
        }
        ReadOnlySpan<byte> source = Pixels;
        for (var i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            source.Slice(index * ModelShape.Pixels, ModelShape.Pixels)
                .CopyTo(pixels.Slice(i * ModelShape.Pixels, ModelShape.Pixels));
            labels[i] = Labels[index];
        }
    }
}
