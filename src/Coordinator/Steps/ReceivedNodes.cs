using System.Runtime.InteropServices;
using CnnDistributed.Core.Training;
using Google.Protobuf;

namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// The validated node gradients of one step as they came off the wire, the inputs of the step's tree sum: read straight
/// from the received bytes, with no copy into float buffers.
/// </summary>
internal sealed class ReceivedNodes(int shardCount) : ITreeNodeGradients
{
    // Indexed by a node's first shard: at most one node starts at each shard within a step.
    private readonly ByteString?[] _gradients = new ByteString?[shardCount];
    private readonly int[] _sizes = new int[shardCount];

    public void Clear() => Array.Clear(_gradients);

    /// <summary>Records a validated node; its bytes must hold ParameterCount little-endian floats.</summary>
    public void Add(TreeNode node, ByteString gradient)
    {
        _gradients[node.Start] = gradient;
        _sizes[node.Start] = node.Size;
    }

    /// <summary>Forgets <paramref name="node"/>'s gradient, if it holds one.</summary>
    public void Remove(TreeNode node)
    {
        if (_sizes[node.Start] == node.Size)
        {
            _gradients[node.Start] = null;
        }
    }

    public bool TryGet(TreeNode node, out ReadOnlySpan<float> gradient)
    {
        var known = _sizes[node.Start] == node.Size ? _gradients[node.Start] : null;
        gradient = known is null ? default : MemoryMarshal.Cast<byte, float>(known.Span);
        return known is not null;
    }
}
