using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;

namespace CnnDistributed.GpuCheck;

/// <summary>
/// The tree sums a backend makes on its device (<see cref="ITreeSummingBackend"/>) against the host's
/// <see cref="GradientTreeSum"/> of the same backend's shard gradients. They must be the same bits, or the weights would
/// depend on how the shards were split between workers (docs/determinism.md).
/// </summary>
public static class TreeSumAgreement
{
    private const int P = ModelShape.ParameterCount;

    /// <summary>
    /// Sums the cover of <paramref name="shards"/> (shards <paramref name="firstShard"/> on, in a job of
    /// <paramref name="shardCount"/>) both ways; null when every node agrees to the bit, else the first difference.
    /// </summary>
    public static string? FirstDifference(
        ITreeSummingBackend backend, float[] w, IReadOnlyList<ShardSamples> shards, int shardCount, int firstShard)
    {
        var leaves = shards.Select(_ => new float[P]).ToArray();
        backend.ComputeGradients(w, shards, leaves, new ShardStats[shards.Count]);
        var cover = GradientTree.Cover(shardCount, firstShard, firstShard + shards.Count);
        var onDevice = new float[cover.Count * P];
        backend.ComputeNodeGradients(
            w,
            shards,
            [.. cover.Select(n => n with { Start = n.Start - firstShard })],
            n => onDevice.AsSpan(n * P, P),
            new ShardStats[shards.Count]);
        var treeSum = new GradientTreeSum(shardCount);
        var onHost = new float[P];
        for (var n = 0; n < cover.Count; n++)
        {
            treeSum.SumInto(cover[n], new ShardGradients(leaves, firstShard), onHost);
            var device = onDevice.AsSpan(n * P, P);
            for (var p = 0; p < P; p++)
            {
                if (BitConverter.SingleToInt32Bits(device[p]) != BitConverter.SingleToInt32Bits(onHost[p]))
                {
                    return $"node {cover[n]} parameter {p}: device {device[p]:R}, host {onHost[p]:R}";
                }
            }
        }
        return null;
    }
}
