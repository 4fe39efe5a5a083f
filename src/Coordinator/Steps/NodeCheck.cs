using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Training;
using Google.Protobuf;

namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// One worker's computation of one tree node: its gradient as received, its shards' statistics, its norm.
/// </summary>
internal sealed record NodeCandidate(
    WorkerConnection Worker, TreeNode Node, ByteString Gradient, ShardStats[] Outcomes, double Norm)
{
    /// <summary>Whether both computations gave the same bits: gradient and statistics.</summary>
    public bool SameAs(NodeCandidate other) =>
        Gradient.Span.SequenceEqual(other.Gradient.Span) && Outcomes.AsSpan().SequenceEqual(other.Outcomes);
}

/// <summary>
/// A node whose result is not settled yet: held back because its norm is an outlier, or already in the step's sum and
/// picked for a spot check. Other workers compute the same node until two computations agree bit for bit
/// (docs/security.md, "Hostile workers").
/// </summary>
internal sealed class NodeCheck(NodeCandidate first, bool accepted)
{
    public TreeNode Node => first.Node;

    public ShardRange Range => new(first.Node.Start, first.Node.Start + first.Node.Size);

    /// <summary>True for a spot check: the first candidate is already in the step's sum.</summary>
    public bool Accepted => accepted;

    public NodeCandidate First => first;

    /// <summary>The computations so far, the first one first, no two the same.</summary>
    public List<NodeCandidate> Candidates { get; } = [first];

    /// <summary>The workers that were given this node (an answer or not), who are not asked again.</summary>
    public HashSet<WorkerConnection> Tried { get; } = [first.Worker];

    public NodeCandidate? Matching(NodeCandidate candidate) => Candidates.Find(c => c.SameAs(candidate));
}
