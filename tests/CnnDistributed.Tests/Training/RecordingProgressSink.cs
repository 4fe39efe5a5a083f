using CnnDistributed.Core.Training;

namespace CnnDistributed.Tests.Training;

/// <summary>Keeps every progress report.</summary>
public sealed class RecordingProgressSink : IProgressSink
{
    public List<StepProgress> Steps { get; } = [];

    public List<EpochMetrics> Epochs { get; } = [];

    public void OnStep(StepProgress progress) => Steps.Add(progress);

    public void OnEpoch(EpochMetrics metrics) => Epochs.Add(metrics);
}
