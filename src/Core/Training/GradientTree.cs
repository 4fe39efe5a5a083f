using System.Numerics;
using System.Numerics.Tensors;

namespace CnnDistributed.Core.Training;

/// <summary>
/// Sums shard gradients along one fixed binary tree, ((g0+g1)+(g2+g3))+…, over a power-of-two number of
/// shards (CONTRACT §5). Every element is added in the same order whoever computed which shard, so the
/// result is bit-identical for any assignment of shards to workers or threads; and a holder of an aligned
/// block of shards (a <see cref="TreeNode"/>) may pre-sum it and send one gradient instead of several.
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

    /// <summary>
    /// Sums the tree below <paramref name="root"/>: a node that <paramref name="lookup"/> knows is taken as
    /// it is, any other is the sum of its two halves. Buffers are summed in place; the returned buffer
    /// (one of those handed out by <paramref name="lookup"/>) holds the result.
    /// </summary>
    public static float[] Sum(TreeNode root, Func<TreeNode, float[]?> lookup)
    {
        var known = lookup(root);
        if (known is not null)
        {
            return known;
        }
        if (root.Size == 1)
        {
            throw new InvalidOperationException($"no gradient for shard {root.Start}");
        }
        var half = root.Size / 2;
        var left = Sum(new TreeNode(root.Start, half), lookup);
        var right = Sum(new TreeNode(root.Start + half, half), lookup);
        TensorPrimitives.Add(left, right, left);
        return left;
    }

    /// <summary>Sums per-shard gradients (one buffer per shard, overwritten) along the tree.</summary>
    public static float[] SumLeaves(IReadOnlyList<float[]> leaves)
    {
        RequirePowerOfTwo(leaves.Count);
        return Sum(new TreeNode(0, leaves.Count), node => node.Size == 1 ? leaves[node.Start] : null);
    }

    public static void RequirePowerOfTwo(int shardCount)
    {
        if (shardCount <= 0 || !BitOperations.IsPow2(shardCount))
        {
            throw new ArgumentOutOfRangeException(nameof(shardCount), $"shard count must be a power of two, got {shardCount}");
        }
    }
}
