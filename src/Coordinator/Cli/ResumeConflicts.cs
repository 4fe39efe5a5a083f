using System.Globalization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// On <c>--resume</c> the checkpoint's options decide the result. A result-deciding flag given explicitly with another
/// value than the checkpoint's is a usage error naming each such flag; <c>--workers</c>, <c>--threads</c>,
/// <c>--device</c>, <c>--data</c>, <c>--checkpoint-every</c> and the output flags may change freely.
/// </summary>
public static class ResumeConflicts
{
    private static readonly (string Flag, Func<TrainingOptions, object?> Value)[] Decisive =
    [
        ("--epochs", o => o.Epochs),
        ("--batch-size", o => o.BatchSize),
        ("--lr", o => o.LearningRate),
        ("--momentum", o => o.Momentum),
        ("--nesterov", o => o.Nesterov),
        ("--weight-decay", o => o.WeightDecay),
        ("--lr-schedule", o => o.Schedule),
        ("--lr-step-epochs", o => o.LearningRateStepEpochs),
        ("--lr-gamma", o => o.LearningRateDecay),
        ("--warmup-steps", o => o.WarmupSteps),
        ("--seed", o => o.Seed),
        ("--max-steps", o => o.MaxSteps),
        ("--no-shuffle", o => !o.Shuffle),
        ("--normalize", o => o.Scaling),
        ("--shards", o => o.Shards),
    ];

    /// <summary>The error line listing every conflicting flag, or null when the given options agree with the checkpoint.</summary>
    public static string? Find(TrainCommandOptions given, TrainingOptions saved, string directory)
    {
        var requested = given.ToTrainingOptions();
        var conflicts = Decisive
            .Where(d => given.ExplicitFlags.Contains(d.Flag) && !Equals(d.Value(requested), d.Value(saved)))
            .Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Flag} {d.Value(requested)} (checkpoint: {d.Value(saved) ?? "none"})"))
            .ToList();
        if (given.ExplicitFlags.Contains("--init-weights"))
        {
            conflicts.Add("--init-weights (the checkpoint holds the weights)");
        }
        if (given.ExplicitFlags.Contains("--out") && Path.GetFullPath(given.Out) != Path.GetFullPath(directory))
        {
            conflicts.Add($"--out {given.Out} (a resumed job writes to {directory})");
        }
        return conflicts.Count == 0 ? null : $"--resume {directory}: options conflict with the checkpoint: {string.Join(", ", conflicts)}";
    }
}
