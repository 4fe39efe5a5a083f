using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using Google.Protobuf;

namespace CnnDistributed.Coordinator.Cluster;

/// <summary>
/// The nodes of one step as they came off the wire, summed along the fixed tree straight from the received bytes (no
/// copy into float buffers). Adds happen in the same order, on the same pairs, as <see cref="GradientTree.Sum"/>, so the
/// result is bit-identical to it.
/// </summary>
internal sealed class ReceivedNodeSum
{
    private readonly int _shardCount;
    // Indexed by a node's first shard: at most one node starts at each shard within a step.
    private readonly ByteString?[] _gradients;
    private readonly int[] _sizes;
    // Two partial sums per tree level (left and right child), so a right subtree never overwrites its left sibling.
    private readonly float[]?[] _partials;

    public ReceivedNodeSum(int shardCount)
    {
        GradientTree.RequirePowerOfTwo(shardCount);
        _shardCount = shardCount;
        _gradients = new ByteString?[shardCount];
        _sizes = new int[shardCount];
        _partials = new float[]?[2 * (int.Log2(shardCount) + 1)];
    }

    public void Clear() => Array.Clear(_gradients);

    /// <summary>Records a validated node; its bytes must hold ParameterCount little-endian floats.</summary>
    public void Add(TreeNode node, ByteString gradient)
    {
        _gradients[node.Start] = gradient;
        _sizes[node.Start] = node.Size;
    }

    /// <summary>Writes the tree sum of all shards into <paramref name="destination"/>.</summary>
    public void SumInto(Span<float> destination)
    {
        var root = new TreeNode(0, _shardCount);
        if (Known(root) is { } whole)
        {
            AsFloats(whole).CopyTo(destination);
            return;
        }
        AddHalves(root, 0, destination);
    }

    private ReadOnlySpan<float> Sum(TreeNode node, int level, int side)
    {
        if (Known(node) is { } gradient)
        {
            return AsFloats(gradient);
        }
        var partial = _partials[2 * level + side] ??= new float[ModelShape.ParameterCount];
        AddHalves(node, level, partial);
        return partial;
    }

    private void AddHalves(TreeNode node, int level, Span<float> destination)
    {
        if (node.Size == 1)
        {
            throw new InvalidOperationException($"no gradient for shard {node.Start}");
        }
        var half = node.Size / 2;
        var left = Sum(new TreeNode(node.Start, half), level + 1, 0);
        var right = Sum(new TreeNode(node.Start + half, half), level + 1, 1);
        TensorPrimitives.Add(left, right, destination);
    }

    private ByteString? Known(TreeNode node) => _sizes[node.Start] == node.Size ? _gradients[node.Start] : null;

    private static ReadOnlySpan<float> AsFloats(ByteString gradient) => MemoryMarshal.Cast<byte, float>(gradient.Span);
}
