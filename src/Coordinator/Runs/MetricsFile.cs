using System.Text.Json;
using CnnDistributed.Coordinator.Cli;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Runs;

/// <summary>
/// Reads a run's <c>metrics.jsonl</c> back (docs/outputs.md): one <see cref="EpochMetrics"/> per line.
/// </summary>
public static class MetricsFile
{
    /// <summary>
    /// The epochs of <paramref name="path"/>; a missing file or a malformed line is a usage error naming it.
    /// </summary>
    public static IReadOnlyList<EpochMetrics> Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var problem = e is FileNotFoundException or DirectoryNotFoundException ? "missing" : e.Message;
            throw new UsageException($"{path}: {problem}");
        }
        var epochs = new List<EpochMetrics>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }
            try
            {
                epochs.Add(JsonSerializer.Deserialize<EpochMetrics>(lines[i], JsonFormats.Line)
                    ?? throw new JsonException("null is not an epoch"));
            }
            catch (JsonException e)
            {
                throw new UsageException($"{path} line {i + 1}: not a metrics line: {e.Message}");
            }
        }
        return epochs;
    }
}
