using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnDistributed.Coordinator.Cli;
using CnnDistributed.Coordinator.Runs;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>
/// A finished run read back from its <c>--out</c> folder (<c>serve --run DIR --dashboard</c>): <c>summary.json</c> and
/// the epochs of <c>metrics.jsonl</c>, replayed into a <see cref="RunMonitor"/> with no workers.
/// </summary>
public static class FinishedRun
{
    /// <summary>Reads <paramref name="directory"/>; a missing or malformed file is a usage error naming it.</summary>
    public static RunDescription Read(string directory, out JsonObject summary, out IReadOnlyList<EpochMetrics> epochs)
    {
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--run {directory}: no such folder");
        }
        var summaryPath = Path.Combine(directory, RunOutputs.SummaryFile);
        var metricsPath = Path.Combine(directory, RunOutputs.MetricsFile);
        summary = ReadJson(summaryPath, text => JsonNode.Parse(text) as JsonObject);
        epochs = MetricsFile.Read(metricsPath);
        var config = summary["config"] as JsonObject
            ?? throw new UsageException($"{summaryPath}: no \"config\" object; is this a cnnd run folder?");
        return new RunDescription(
            Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))),
            config.ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone()),
            ulong.TryParse(config["seed"]?.ToString(), CultureInfo.InvariantCulture, out var seed) ? seed : 0,
            int.TryParse(config["epochs"]?.ToString(), CultureInfo.InvariantCulture, out var count)
                ? count
                : epochs.Count,
            int.TryParse(config["batch_size"]?.ToString(), CultureInfo.InvariantCulture, out var batch) ? batch : 1,
            int.TryParse(config["shards"]?.ToString(), CultureInfo.InvariantCulture, out var shards) ? shards : 1);
    }

    /// <summary>Replays the run into <paramref name="monitor"/>: its start, each epoch at its time, its end.</summary>
    public static void Replay(RunMonitor monitor, JsonObject summary, IReadOnlyList<EpochMetrics> epochs)
    {
        monitor.Started(
            summary["device_choice"]?.ToString() ?? "",
            long.TryParse(summary["steps"]?.ToString(), CultureInfo.InvariantCulture, out var steps) ? steps : 0,
            null);
        foreach (var epoch in epochs)
        {
            monitor.Replay(epoch);
        }
        monitor.Finish("finished", summary);
    }

    private static T ReadJson<T>(string path, Func<string, T?> parse)
    {
        try
        {
            return parse(File.ReadAllText(path)) ?? throw new JsonException("not a JSON object");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new UsageException($"{path}: {(e is FileNotFoundException ? "missing" : e.Message)}");
        }
    }
}
