namespace CnnDistributed.Coordinator.Steps;

/// <summary>The check a worker's result failed (<see cref="StepResultValidator"/>).</summary>
public enum ResultRefusal
{
    /// <summary>The result answers another step than the one in progress.</summary>
    UnknownStep,

    /// <summary>Its tree nodes are not exactly the cover of the assigned range, in shard order.</summary>
    NodesNotTheCover,

    /// <summary>A node gradient is not <see cref="StepResultValidator.GradientBytes"/> long.</summary>
    GradientLength,

    /// <summary>Not one shard outcome per assigned shard.</summary>
    ShardCount,

    /// <summary>A shard's loss sum is negative, NaN or infinite.</summary>
    ShardLoss,

    /// <summary>A shard's sample count is not the shard's, or its correct count is negative or above it.</summary>
    ShardCounts,

    /// <summary>The reported compute time is negative.</summary>
    NegativeComputeTime,

    /// <summary>A node gradient holds NaN or infinity.</summary>
    NonFiniteGradient,

    /// <summary>A node gradient's L2 norm is above its samples × the per-sample bound.</summary>
    GradientNorm,

    /// <summary>
    /// A node gradient's norm per sample is far above the recent median (<see cref="GradientNormHistory"/>) and another
    /// worker's computation of the node contradicted it.
    /// </summary>
    NormOutlier,
}
