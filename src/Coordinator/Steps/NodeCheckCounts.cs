namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// What the checks between workers did in a job so far (<see cref="DistributedStepExecutor.Checks"/>).
/// </summary>
public sealed class NodeCheckCounts
{
    /// <summary>Nodes held because their norm was an outlier against the recent median.</summary>
    public int OutliersHeld { get; internal set; }

    /// <summary>Held nodes that another worker computed with the same bits: honest outliers, accepted.</summary>
    public int HonestOutliers { get; internal set; }

    /// <summary>Accepted nodes picked for a spot check.</summary>
    public int SpotChecks { get; internal set; }

    /// <summary>Workers dropped because two other workers' computations of a node contradicted theirs.</summary>
    public int Contradicted { get; internal set; }
}
