namespace CnnDistributed.Core.Training;

/// <summary>The inputs of a <see cref="GradientTreeSum"/>: the gradients of the tree nodes known as a whole.</summary>
public interface ITreeNodeGradients
{
    /// <summary>
    /// The gradient of <paramref name="node"/> when it is known as a whole (a shard's own gradient, or a block
    /// pre-summed by a worker); false when it must be summed from its two halves.
    /// </summary>
    bool TryGet(TreeNode node, out ReadOnlySpan<float> gradient);
}
