using System.Numerics.Tensors;

namespace CnnDistributed.Core.Training;

/// <summary>
/// Sums gradients along the fixed tree (<see cref="GradientTree"/>): a node its inputs know as a whole is taken as
/// it is, any other is the sum of its two halves, left plus right. Every caller (the in-process executor, a worker
/// pre-summing its nodes, the coordinator summing what workers sent) goes through this class, so all of them add the
/// same pairs in the same order and agree to the bit. Not thread-safe: it reuses its partial sums.
/// </summary>
public sealed class GradientTreeSum
{
    // Two partial sums per depth below the root (left and right child), so a right subtree never overwrites its
    // left sibling before their parent adds them.
    private readonly float[]?[] _partials;

    /// <param name="shardCount">The tree's leaves, a power of two; bounds the depth of any subtree summed.</param>
    public GradientTreeSum(int shardCount)
    {
        GradientTree.RequirePowerOfTwo(shardCount);
        _partials = new float[]?[2 * (int.Log2(shardCount) + 1)];
    }

    /// <summary>
    /// Writes the tree sum of the subtree <paramref name="root"/> into <paramref name="destination"/>.
    /// </summary>
    public void SumInto(TreeNode root, ITreeNodeGradients inputs, Span<float> destination)
    {
        if (inputs.TryGet(root, out var whole))
        {
            whole.CopyTo(destination);
            return;
        }
        AddHalves(root, 0, inputs, destination);
    }

    private void AddHalves(TreeNode node, int depth, ITreeNodeGradients inputs, Span<float> destination)
    {
        if (node.Size == 1)
        {
            throw new InvalidOperationException($"no gradient for shard {node.Start}");
        }
        var half = node.Size / 2;
        var left = Sum(new TreeNode(node.Start, half), depth + 1, 0, inputs, destination.Length);
        var right = Sum(new TreeNode(node.Start + half, half), depth + 1, 1, inputs, destination.Length);
        TensorPrimitives.Add(left, right, destination);
    }

    private ReadOnlySpan<float> Sum(TreeNode node, int depth, int side, ITreeNodeGradients inputs, int length)
    {
        if (inputs.TryGet(node, out var whole))
        {
            return whole;
        }
        var partial = _partials[2 * depth + side] ??= new float[length];
        AddHalves(node, depth, inputs, partial);
        return partial;
    }
}
