using CnnDistributed.Core.Engine;
using System.Text.Json.Serialization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// The options of <c>train</c> with defaults resolved. Serialised with snake_case names it is the <c>config</c> of
/// summary.json, each key named like its flag. <see cref="Validate"/> is the one place every value is checked.
/// </summary>
public sealed record TrainCommandOptions
{
    public const int MaxBatchSize = 65536;

    public static IReadOnlyList<string> Schedules { get; } = ["constant", "step", "cosine"];

    public required string Data { get; init; }
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    public required float Lr { get; init; }
    public required float Momentum { get; init; }
    public required bool Nesterov { get; init; }
    public required float WeightDecay { get; init; }
    public required string LrSchedule { get; init; }
    public required int LrStepEpochs { get; init; }
    public required float LrGamma { get; init; }
    public required int WarmupSteps { get; init; }
    public required ulong Seed { get; init; }
    public required int Workers { get; init; }
    public required int Threads { get; init; }
    public required string Device { get; init; }
    public required long? MaxSteps { get; init; }
    public required bool NoShuffle { get; init; }
    public required bool Normalize { get; init; }
    public required string? InitWeights { get; init; }
    public required string Out { get; init; }
    public required bool Quiet { get; init; }
    public required bool Json { get; init; }
    public required int Shards { get; init; }

    /// <summary>Steps between checkpoints in <c>--out</c> (<c>--checkpoint-every</c>, default 500; 0: only at the end and when stopped).</summary>
    public required int CheckpointEvery { get; init; }

    /// <summary>A previous <c>--out</c> folder holding checkpoint.bin to continue (<c>--resume</c>); its options replace the given ones.</summary>
    public required string? Resume { get; init; }

    /// <summary>Seconds a step waits for a worker to join when none is left (<c>--worker-wait-timeout</c>, default 120).</summary>
    public required double WorkerWaitTimeout { get; init; }

    /// <summary>The flags given on the command line (the rest took their defaults); on resume they must agree with the checkpoint.</summary>
    [JsonIgnore]
    public IReadOnlySet<string> ExplicitFlags { get; init; } = new HashSet<string>();

    /// <summary>The first invalid value as an error line naming its flag, or null when all are valid.</summary>
    public string? Validate() => OptionChecks.First(
        OptionChecks.AtLeast("--epochs", Epochs, 1),
        OptionChecks.Between("--batch-size", BatchSize, 1, MaxBatchSize),
        OptionChecks.Positive("--lr", Lr),
        OptionChecks.Fraction("--momentum", Momentum),
        Nesterov && Momentum == 0 ? "--nesterov needs a --momentum greater than 0" : null,
        OptionChecks.NonNegative("--weight-decay", WeightDecay),
        OptionChecks.OneOf("--lr-schedule", LrSchedule, Schedules.ToArray()),
        OptionChecks.AtLeast("--lr-step-epochs", LrStepEpochs, 1),
        OptionChecks.Positive("--lr-gamma", LrGamma),
        OptionChecks.AtLeast("--warmup-steps", WarmupSteps, 0),
        OptionChecks.AtLeast("--workers", Workers, 0),
        OptionChecks.AtLeast("--threads", Threads, 1),
        OptionChecks.OneOf("--device", Device, DeviceChoice.Names.ToArray()),
        MaxSteps is { } maxSteps ? OptionChecks.AtLeast("--max-steps", maxSteps, 1) : null,
        OptionChecks.PowerOfTwo("--shards", Shards),
        Out.Length == 0 ? "--out must not be empty" : null,
        OptionChecks.AtLeast("--checkpoint-every", CheckpointEvery, 0),
        OptionChecks.NonNegative("--worker-wait-timeout", WorkerWaitTimeout),
        Resume is { Length: 0 } ? "--resume must not be empty" : null,
        Data.Length == 0 ? "--data must not be empty" : null);

    public TrainingOptions ToTrainingOptions() => new()
    {
        Epochs = Epochs,
        BatchSize = BatchSize,
        LearningRate = Lr,
        Momentum = Momentum,
        Nesterov = Nesterov,
        WeightDecay = WeightDecay,
        Schedule = Enum.Parse<LearningRateScheduleKind>(LrSchedule, ignoreCase: true),
        LearningRateStepEpochs = LrStepEpochs,
        LearningRateDecay = LrGamma,
        WarmupSteps = WarmupSteps,
        Seed = Seed,
        MaxSteps = MaxSteps,
        Shuffle = !NoShuffle,
        Scaling = Normalize ? InputScaling.MnistNormalized : InputScaling.UnitRange,
        Shards = Shards,
    };

    /// <summary>These options with every result-deciding value taken from <paramref name="training"/> (a checkpoint's).</summary>
    public TrainCommandOptions WithTraining(TrainingOptions training) => this with
    {
        Epochs = training.Epochs,
        BatchSize = training.BatchSize,
        Lr = training.LearningRate,
        Momentum = training.Momentum,
        Nesterov = training.Nesterov,
        WeightDecay = training.WeightDecay,
        LrSchedule = training.Schedule.ToString().ToLowerInvariant(),
        LrStepEpochs = training.LearningRateStepEpochs,
        LrGamma = training.LearningRateDecay,
        WarmupSteps = training.WarmupSteps,
        Seed = training.Seed,
        MaxSteps = training.MaxSteps,
        NoShuffle = !training.Shuffle,
        Normalize = training.Scaling == InputScaling.MnistNormalized,
        Shards = training.Shards,
        InitWeights = null,
    };
}
