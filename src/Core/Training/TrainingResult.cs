namespace CnnDistributed.Core.Training;

/// <summary>What a finished (or step-limited) training job produced.</summary>
public sealed record TrainingResult(
    float[] Parameters,
    IReadOnlyList<EpochMetrics> Epochs,
    long Samples,
    long Steps,
    double TrainingSeconds,
    double WallSeconds)
{
    /// <summary>Training samples per second of training time (test evaluations excluded).</summary>
    public double SamplesPerSecond => TrainingSeconds > 0 ? Samples / TrainingSeconds : 0;

    /// <summary>The metrics of the last epoch run, the job's final test loss and accuracy.</summary>
    public EpochMetrics Final => Epochs[^1];
}
