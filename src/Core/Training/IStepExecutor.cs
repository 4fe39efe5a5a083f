using CnnDistributed.Core.Engine;

namespace CnnDistributed.Core.Training;

/// <summary>
/// Computes a minibatch's gradient somewhere: in this process (<see cref="LocalStepExecutor"/>) or on
/// remote workers. The result is the tree sum of the shard gradients (not yet divided by the batch size).
/// </summary>
public interface IStepExecutor : IAsyncDisposable
{
    /// <summary>Device kind of the compute, e.g. <c>cpu-avx512</c>.</summary>
    string DeviceKind { get; }

    /// <summary>How many workers take part (1 for the in-process executor).</summary>
    int Workers { get; }

    /// <summary>
    /// Computes the gradient of every shard of <paramref name="work"/> at <paramref name="parameters"/> and writes
    /// their tree sum into <paramref name="gradientSum"/> (overwritten); returns the forward-pass statistics of all
    /// shards together.
    /// </summary>
    ValueTask<ShardStats> ComputeAsync(
        StepWork work,
        float[] parameters,
        float[] gradientSum,
        CancellationToken cancellationToken);
}
