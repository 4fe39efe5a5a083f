using System.Text.Json;
using CnnDistributed.Core.Checkpoints;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A short job on the bundled sample for the checkpoint and restart tests: its options, an undisturbed reference run
/// (the in-process engine), and readers for what a run leaves in its --out folder.
/// </summary>
public static class ResumableJob
{
    /// <summary>
    /// Long enough that a run interrupted right after its first checkpoint (step 10 or 20) is still far from the end
    /// when the signal lands: at 80 steps a loopback run finished in the ~10 ms between checkpoint and SIGTERM.
    /// </summary>
    public const int MaxSteps = 1000;

    /// <summary>The result-deciding options, shared by the reference and the interrupted runs.</summary>
    public static string[] Options { get; } = ["--device", "cpu", "--batch-size", "16", "--max-steps", MaxSteps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet"];

    /// <summary>Runs the undisturbed job in this process into <paramref name="directory"/> and returns its weights_sha256.</summary>
    public static string Reference(string directory)
    {
        var result = CliRunner.Run(["train", "--workers", "0", "--threads", "1", "--out", directory, .. Options]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return WeightsSha256(directory);
    }

    public static string WeightsSha256(string directory) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json"))).RootElement.GetProperty("weights_sha256").GetString()!;

    /// <summary>The metrics.jsonl lines without the fields that measure time or membership.</summary>
    public static IReadOnlyList<string> DeterministicMetrics(string directory) =>
        [.. File.ReadAllLines(Path.Combine(directory, "metrics.jsonl")).Select(line =>
        {
            var fields = JsonDocument.Parse(line).RootElement;
            return string.Join(" ", new[] { "epoch", "step", "train_loss", "train_accuracy", "test_loss", "test_accuracy" }.Select(f => fields.GetProperty(f).GetRawText()));
        })];

    public static string CheckpointPath(string directory) => Path.Combine(directory, CheckpointFile.FileName);

    /// <summary>Waits until the run has written its first checkpoint.</summary>
    public static async Task WaitForCheckpointAsync(string directory, CnndProcess run)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(CheckpointPath(directory)))
        {
            if (run.HasExited)
            {
                var ended = await run.WaitForExitAsync();
                Assert.Fail($"the run ended (exit {ended.ExitCode}) before writing a checkpoint: {ended.Stderr}");
            }
            await Task.Delay(10, timeout.Token);
        }
    }
}
