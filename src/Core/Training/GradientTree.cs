using System.Numerics;

namespace CnnDistributed.Core.Training;

/// <summary>
/// The fixed binary summation tree over a power-of-two number of shards, ((g0+g1)+(g2+g3))+…
/// (docs/determinism.md). Every element is added in the same order whoever computed which shard, so the
/// result is bit-identical for any assignment of shards to workers or threads; and a holder of an aligned
/// block of shards (a <see cref="TreeNode"/>) may pre-sum it and send one gradient instead of several.
/// <see cref="GradientTreeSum"/> is the one implementation of the order.
/// </summary>
public static class GradientTree
{
    /// <summary>The maximal aligned tree nodes that exactly cover the shard range [start, end).</summary>
    public static IReadOnlyList<TreeNode> Cover(int shardCount, int start, int end)
    {
        RequirePowerOfTwo(shardCount);
        if (start < 0 || end > shardCount || start > end)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"range [{start},{end}) is outside [0,{shardCount})");
        }
        var nodes = new List<TreeNode>();
        while (start < end)
        {
            var size = start == 0 ? shardCount : start & -start;
            while (start + size > end)
            {
                size >>= 1;
            }
            nodes.Add(new TreeNode(start, size));
            start += size;
        }
        return nodes;
    }

    /// <summary>Throws unless <paramref name="shardCount"/> is a power of two, as the tree needs.</summary>
    public static void RequirePowerOfTwo(int shardCount)
    {
        if (shardCount <= 0 || !BitOperations.IsPow2(shardCount))
        {
            throw new ArgumentOutOfRangeException(
                nameof(shardCount), $"shard count must be a power of two, got {shardCount}");
        }
    }
}
