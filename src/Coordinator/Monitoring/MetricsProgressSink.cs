using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Monitoring;

/// <summary>
/// Updates the Prometheus <see cref="TrainingMetrics"/> from the training loop's progress and passes it on to
/// <paramref name="inner"/>.
/// </summary>
public sealed class MetricsProgressSink(TrainingMetrics metrics, IProgressSink inner) : IProgressSink
{
    public void OnStep(StepProgress progress)
    {
        metrics.Record(progress);
        inner.OnStep(progress);
    }

    public void OnEpoch(EpochMetrics epoch)
    {
        metrics.Record(epoch);
        inner.OnEpoch(epoch);
    }
}
