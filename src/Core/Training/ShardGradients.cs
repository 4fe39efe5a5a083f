namespace CnnDistributed.Core.Training;

/// <summary>
/// Per-shard gradients as tree leaves: <paramref name="leaves"/>[i] is the gradient of shard
/// <paramref name="firstShard"/> + i.
/// </summary>
public sealed class ShardGradients(IReadOnlyList<float[]> leaves, int firstShard = 0) : ITreeNodeGradients
{
    /// <inheritdoc/>
    public bool TryGet(TreeNode node, out ReadOnlySpan<float> gradient)
    {
        gradient = node.Size == 1 ? leaves[node.Start - firstShard] : default;
        return node.Size == 1;
    }
}
