using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Progress;

/// <summary>Progress for logs and pipes: one plain line per epoch, nothing per step.</summary>
public sealed class PlainProgressSink(TextWriter output, int epochs) : IProgressSink
{
    public void OnStep(StepProgress progress)
    {
    }

    public void OnEpoch(EpochMetrics metrics)
    {
        output.WriteLine(ProgressText.Epoch(metrics, epochs));
        output.Flush();
    }
}
