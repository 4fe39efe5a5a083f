using System.Globalization;
using CnnDistributed.Core.Training;
using CnnDistributed.Hosting.Flags;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// On <c>--resume</c> the checkpoint's options decide the result. A flag of <see cref="TrainingOptions"/> given
/// explicitly with another value than the checkpoint's is a usage error naming each such flag; <c>--workers</c>,
/// <c>--threads</c>, <c>--device</c>, <c>--data</c>, <c>--checkpoint-every</c> and the output flags may change freely.
/// </summary>
public static class ResumeConflicts
{
    /// <summary>
    /// The error line listing every conflicting flag, or null when the given options agree with the checkpoint.
    /// </summary>
    public static string? Find(
        FlagSet flags,
        IReadOnlySet<string> given,
        TrainingOptions requested,
        TrainingOptions saved,
        RunOptions run)
    {
        var directory = run.Resume!;
        var conflicts = flags.Flags
            .Where(f => f.OptionsType == typeof(TrainingOptions)
                && given.Contains(f.Name)
                && !Equals(f.Read(requested), f.Read(saved)))
            .Select(f => string.Create(
                CultureInfo.InvariantCulture,
                $"{f.Name} {f.Read(requested)} (checkpoint: {f.Read(saved) ?? "none"})"))
            .ToList();
        if (run.InitWeights is not null)
        {
            conflicts.Add("--init-weights (the checkpoint holds the weights)");
        }
        if (Path.GetFullPath(run.Out!) != Path.GetFullPath(directory))
        {
            conflicts.Add($"--out {run.Out} (a resumed job writes to {directory})");
        }
        return conflicts.Count == 0
            ? null
            : $"--resume {directory}: options conflict with the checkpoint: {string.Join(", ", conflicts)}";
    }
}
