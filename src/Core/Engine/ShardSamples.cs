using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine;

/// <summary>
/// The samples of one shard as they travel: raw 28x28 pixel bytes (row-major, one image after another)
/// and one label byte per image. Backends scale pixels themselves, so workers never need the data set.
/// </summary>
public readonly record struct ShardSamples(ReadOnlyMemory<byte> Pixels, ReadOnlyMemory<byte> Labels)
{
    public int Count => Labels.Length;

    public static ShardSamples Create(ReadOnlyMemory<byte> pixels, ReadOnlyMemory<byte> labels)
    {
        if (pixels.Length != labels.Length * ModelShape.Pixels)
        {
            throw new ArgumentException($"a shard of {labels.Length} labels needs {labels.Length * ModelShape.Pixels} pixel bytes, got {pixels.Length}");
        }
        return new ShardSamples(pixels, labels);
    }

    public ShardSamples Slice(int start, int count) =>
        new(Pixels.Slice(start * ModelShape.Pixels, count * ModelShape.Pixels), Labels.Slice(start, count));
}
