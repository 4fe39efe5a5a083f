using CnnDistributed.Core.Training;

namespace CnnDistributed.Core.Engine;

/// <summary>
/// A backend that sums its shards' gradients along the gradient tree itself (the GPU backend, on its device), so that
/// only the tree nodes' sums leave it instead of one gradient per shard. Its sums equal, bit for bit, the host's
/// <see cref="GradientTreeSum"/> of the gradients <see cref="IComputeBackend.ComputeGradients"/> would give.
/// </summary>
public interface ITreeSummingBackend : IComputeBackend
{
    /// <summary>
    /// Computes the gradients of <paramref name="shards"/> and writes the tree sum of each node of
    /// <paramref name="nodes"/> where <paramref name="destination"/> says. The nodes are counted from the first of
    /// <paramref name="shards"/>, follow one another and cover them exactly; each is a power of two of shards.
    /// <paramref name="stats"/>[i] receives shard i's statistics.
    /// </summary>
    void ComputeNodeGradients(
        ReadOnlySpan<float> parameters,
        IReadOnlyList<ShardSamples> shards,
        IReadOnlyList<TreeNode> nodes,
        NodeSumDestination destination,
        Span<ShardStats> stats);
}
