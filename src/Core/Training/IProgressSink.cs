namespace CnnDistributed.Core.Training;

/// <summary>
/// Receives a training job's progress: after every optimizer step and after every epoch's test evaluation.
/// </summary>
public interface IProgressSink
{
    /// <summary>Called on the training loop after each optimizer step, before the next one starts.</summary>
    void OnStep(StepProgress progress);

    /// <summary>
    /// Called after each epoch's test evaluation (also for an epoch cut short by <c>--max-steps</c>), with the line
    /// the job writes to <c>metrics.jsonl</c>.
    /// </summary>
    void OnEpoch(EpochMetrics metrics);
}
