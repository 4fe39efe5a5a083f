namespace CnnDistributed.Tests.Infrastructure;

/// <summary>What a <see cref="MisbehavingWorker"/> does wrong in its first result.</summary>
public enum PeerMisbehaviour
{
    GradientOfWrongLength,
    NaNInGradient,
    InfinityInGradient,
    HugeFiniteGradient,
    UnknownStepId,
    WrongTreeNode,
    TruncatedMessage,
}
