using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Training;

/// <summary>
/// An executor that reports the <c>--workers</c> value the job was given while the in-process executor does the work,
/// so metrics and summary record the worker count used for the thread budget.
/// </summary>
public sealed class ReportedWorkersExecutor(IStepExecutor inner, int workers) : IStepExecutor
{
    public string DeviceKind => inner.DeviceKind;

    public int Workers => workers;

    public ValueTask<ShardStats> ComputeAsync(StepWork work, float[] parameters, float[] gradientSum, CancellationToken cancellationToken) =>
        inner.ComputeAsync(work, parameters, gradientSum, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
