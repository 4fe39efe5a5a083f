using CnnDistributed.Core.Training;

namespace CnnDistributed.Core.Optimization;

/// <summary>
/// The learning rate for each optimizer step: constant, step (PyTorch <c>StepLR</c> over epochs) or cosine
/// (<c>CosineAnnealingLR</c> per step, down to 0 at <c>totalSteps</c>), times a linear warm-up ramp
/// (step+1)/K over the first K steps. Computed in double, returned as float.
/// </summary>
internal sealed class LearningRateSchedule
{
    private readonly TrainingOptions _options;
    private readonly long _stepsPerEpoch;
    private readonly long _totalSteps;

    public LearningRateSchedule(TrainingOptions options, long stepsPerEpoch, long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (options.Schedule == LearningRateScheduleKind.Step && options.LearningRateStepEpochs < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                $"the step schedule needs LearningRateStepEpochs >= 1, got {options.LearningRateStepEpochs}");
        }
        _options = options;
        _stepsPerEpoch = stepsPerEpoch;
        _totalSteps = totalSteps;
    }

    /// <summary>The rate for the 0-based optimizer step <paramref name="step"/>.</summary>
    public float RateAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        double rate = _options.LearningRate;
        rate *= _options.Schedule switch
        {
            LearningRateScheduleKind.Constant => 1.0,
            LearningRateScheduleKind.Step =>
                Math.Pow(_options.LearningRateDecay, step / _stepsPerEpoch / _options.LearningRateStepEpochs),
            LearningRateScheduleKind.Cosine =>
                0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, _totalSteps) / _totalSteps)),
            _ => throw new InvalidOperationException($"unknown learning-rate schedule {_options.Schedule}"),
        };
        if (step < _options.WarmupSteps)
        {
            rate *= (step + 1) / (double)_options.WarmupSteps;
        }
        return (float)rate;
    }
}
