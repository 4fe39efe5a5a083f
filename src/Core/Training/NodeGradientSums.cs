using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Training;

/// <summary>
/// The tree sums (<see cref="GradientTree"/>) of a range of shards' gradients, node by node, as a backend computes
/// them: a backend that sums along the tree on its device (<see cref="ITreeSummingBackend"/>) hands back the nodes'
/// sums alone; any other hands back one gradient per shard, which <see cref="GradientTreeSum"/> adds here. Both add the
/// same pairs in the same order, so the sums do not depend on where they were added. Not thread-safe: it reuses its
/// buffers.
/// </summary>
public sealed class NodeGradientSums
{
    private readonly IComputeBackend _backend;
    private readonly GradientTreeSum _treeSum;
    // One gradient per shard, allocated when first needed (a device that sums on its own never needs them).
    private readonly float[][] _leaves;

    /// <summary>
    /// Sums for steps of <paramref name="shardCount"/> shards (a power of two) on <paramref name="backend"/>.
    /// </summary>
    public NodeGradientSums(IComputeBackend backend, int shardCount)
    {
        _treeSum = new GradientTreeSum(shardCount);
        _backend = backend;
        _leaves = new float[shardCount][];
    }

    /// <summary>
    /// Computes the gradients of <paramref name="shards"/>, which are the shards from
    /// <paramref name="firstShard"/> on, and writes the sum of each of <paramref name="nodes"/> (aligned tree nodes
    /// that cover exactly those shards, in order) where <paramref name="destination"/> says; shard i's statistics go
    /// to <paramref name="stats"/>[i].
    /// </summary>
    public void Compute(
        ReadOnlySpan<float> parameters,
        IReadOnlyList<ShardSamples> shards,
        int firstShard,
        IReadOnlyList<TreeNode> nodes,
        NodeSumDestination destination,
        Span<ShardStats> stats)
    {
        if (_backend is ITreeSummingBackend device)
        {
            var local = new TreeNode[nodes.Count];
            for (var n = 0; n < nodes.Count; n++)
            {
                local[n] = nodes[n] with { Start = nodes[n].Start - firstShard };
            }
            device.ComputeNodeGradients(parameters, shards, local, destination, stats);
            return;
        }
        var leaves = Leaves(shards.Count);
        _backend.ComputeGradients(parameters, shards, leaves, stats);
        var inputs = new ShardGradients(leaves, firstShard);
        for (var n = 0; n < nodes.Count; n++)
        {
            _treeSum.SumInto(nodes[n], inputs, destination(n));
        }
    }

    private ArraySegment<float[]> Leaves(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _leaves[i] ??= new float[ModelShape.ParameterCount];
        }
        return new ArraySegment<float[]>(_leaves, 0, count);
    }
}
