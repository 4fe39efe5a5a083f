using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine;

/// <summary>
/// The samples of one shard as they travel: raw 28x28 pixel bytes (row-major, one image after another)
/// and one label byte per image. Backends scale pixels themselves, so workers never need the data set.
/// </summary>
public readonly record struct ShardSamples(ReadOnlyMemory<byte> Pixels, ReadOnlyMemory<byte> Labels)
{
    /// <summary>The number of samples (one per label).</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// The samples over the given buffers (not copied); throws <see cref="ArgumentException"/> unless there are
    /// exactly <see cref="ModelShape.Pixels"/> pixel bytes per label.
    /// </summary>
    public static ShardSamples Create(ReadOnlyMemory<byte> pixels, ReadOnlyMemory<byte> labels)
    {
        if (pixels.Length != labels.Length * ModelShape.Pixels)
        {
            throw new ArgumentException(
                $"a shard of {labels.Length} labels needs {labels.Length * ModelShape.Pixels} pixel bytes, "
                + $"got {pixels.Length}");
        }
        return new ShardSamples(pixels, labels);
    }

    /// <summary>The <paramref name="count"/> samples from <paramref name="start"/> on, sharing the buffers.</summary>
    public ShardSamples Slice(int start, int count) =>
        new(Pixels.Slice(start * ModelShape.Pixels, count * ModelShape.Pixels), Labels.Slice(start, count));
}
