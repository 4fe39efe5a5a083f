using CnnDistributed.Core.Engine;

namespace CnnDistributed.Coordinator.Cluster;

/// <summary>Settings of the cluster coordinator, validated at start by <see cref="CoordinatorOptionsValidator"/>.</summary>
public sealed class CoordinatorOptions
{
    /// <summary>Shards per minibatch, a power of two (default 8): the leaves of the gradient tree, sent to every worker.</summary>
    public int ShardCount { get; set; } = 8;

    /// <summary>How workers scale pixels (default pixel/255).</summary>
    public InputScaling Scaling { get; set; } = InputScaling.UnitRange;

    /// <summary>The largest gRPC message sent or accepted, both directions (default 64 MiB).</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>A worker that has not returned its result this long after its assignment is dropped and its shards recomputed (default 60 s).</summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long ending the job waits for workers to close their streams (default 5 s).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public void CopyTo(CoordinatorOptions target)
    {
        target.ShardCount = ShardCount;
        target.Scaling = Scaling;
        target.MaxMessageBytes = MaxMessageBytes;
        target.StepTimeout = StepTimeout;
        target.ShutdownTimeout = ShutdownTimeout;
    }
}
