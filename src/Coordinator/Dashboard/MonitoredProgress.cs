using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>
/// Shows the training loop's progress on the dashboard's <see cref="RunMonitor"/>, then passes it on.
/// </summary>
public sealed class MonitoredProgress(RunMonitor monitor, IProgressSink inner) : IProgressSink
{
    public void OnStep(StepProgress progress)
    {
        monitor.OnStep(progress);
        inner.OnStep(progress);
    }

    public void OnEpoch(EpochMetrics metrics)
    {
        monitor.OnEpoch(metrics);
        inner.OnEpoch(metrics);
    }
}
