using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Progress;

/// <summary>No progress at all (<c>--quiet</c>).</summary>
public sealed class SilentProgressSink : IProgressSink
{
    public void OnStep(StepProgress progress)
    {
    }

    public void OnEpoch(EpochMetrics metrics)
    {
    }
}
