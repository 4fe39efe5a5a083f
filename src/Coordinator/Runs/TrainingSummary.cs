using CnnDistributed.Coordinator.Steps;

namespace CnnDistributed.Coordinator.Runs;

/// <summary>
/// <c>summary.json</c> (docs/outputs.md) plus <c>peak_rss_mb</c>; snake_case names come from
/// <see cref="JsonFormats"/>.
/// </summary>
public sealed record TrainingSummary
{
    public required double FinalTestAccuracy { get; init; }
    public required double FinalTestLoss { get; init; }

    /// <summary>Epochs run (the last one possibly cut short by <c>--max-steps</c>).</summary>
    public required int Epochs { get; init; }
    public required long Steps { get; init; }
    public required long Samples { get; init; }
    public required double WallS { get; init; }

    /// <summary>Training samples per second of training time (test evaluations excluded).</summary>
    public required double SamplesPerSecond { get; init; }
    public required string WeightsSha256 { get; init; }
    public required int Workers { get; init; }
    public required string Device { get; init; }

    /// <summary>Which device computed the gradients and why, as the run's first line says it.</summary>
    public required string DeviceChoice { get; init; }
    public required double PeakRssMb { get; init; }

    /// <summary>
    /// Where the time of all steps went (compute, serialization, network wait, aggregation) when workers did the work.
    /// </summary>
    public required StepTimings? StepTimings { get; init; }
    /// <summary>Every option of the run by its flag's name (snake_case), as the job used it.</summary>
    public required IReadOnlyDictionary<string, object?> Config { get; init; }
}
