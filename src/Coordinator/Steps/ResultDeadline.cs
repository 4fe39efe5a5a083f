using CnnDistributed.Coordinator.Hosting;

namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// How long the coordinator waits for one worker's result: <see cref="CoordinatorOptions.ResultDeadlineFactor"/> times
/// the time its measured speed predicts for the assigned samples, never less than
/// <see cref="CoordinatorOptions.ResultDeadlineFloor"/>, never more than <see cref="CoordinatorOptions.StepTimeout"/>.
/// A worker not yet measured (its first assignment includes its warm-up) gets
/// <see cref="CoordinatorOptions.StepTimeout"/>.
/// </summary>
public static class ResultDeadline
{
    /// <summary>
    /// The deadline for <paramref name="samples"/> samples on a worker measured at <paramref name="samplesPerSecond"/>
    /// (0: not yet measured).
    /// </summary>
    public static TimeSpan For(CoordinatorOptions options, double samplesPerSecond, int samples)
    {
        if (samplesPerSecond <= 0)
        {
            return options.StepTimeout;
        }
        var expected = TimeSpan.FromSeconds(samples / samplesPerSecond);
        var deadline = expected * options.ResultDeadlineFactor;
        return deadline < options.ResultDeadlineFloor ? options.ResultDeadlineFloor
            : deadline > options.StepTimeout ? options.StepTimeout
            : deadline;
    }
}
