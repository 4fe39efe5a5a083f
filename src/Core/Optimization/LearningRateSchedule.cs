using CnnDistributed.Core.Training;

namespace CnnDistributed.Core.Optimization;

/// <summary>The learning rate for each optimizer step: constant, step or cosine, after an optional linear warm-up.</summary>
public sealed class LearningRateSchedule(TrainingOptions options, long stepsPerEpoch, long totalSteps)
{
    public float RateAt(long step) => throw new NotImplementedException();
}
