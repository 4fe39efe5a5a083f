namespace CnnDistributed.Core.Training;

/// <summary>Receives a training job's progress: after every optimizer step and after every epoch's test evaluation.</summary>
public interface IProgressSink
{
    void OnStep(StepProgress progress);

    void OnEpoch(EpochMetrics metrics);
}
