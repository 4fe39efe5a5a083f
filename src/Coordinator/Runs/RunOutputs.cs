using System.Text;
using System.Text.Json;
using CnnDistributed.Core.Checkpoints;

namespace CnnDistributed.Coordinator.Runs;

/// <summary>The files of a run in its <c>--out</c> folder (docs/outputs.md), each written atomically.</summary>
public sealed class RunOutputs(string directory)
{
    public const string MetricsFile = "metrics.jsonl";
    public const string SummaryFile = "summary.json";
    public const string ModelFile = "model.safetensors";

    /// <summary>The files a run writes (docs/outputs.md); a folder holding any of them holds a run.</summary>
    public static IReadOnlyList<string> Files { get; } = [SummaryFile, ModelFile, MetricsFile, CheckpointFile.FileName];

    public string Directory { get; } = directory;

    /// <summary>Whether <paramref name="directory"/> holds any file of <see cref="Files"/>.</summary>
    public static bool ExistIn(string directory) =>
        Files.Any(file => Path.Exists(Path.Combine(directory, file)));

    /// <summary>Deletes the files of an earlier run, so that none of them is mistaken for this run's.</summary>
    public void DeleteEarlierRun()
    {
        foreach (var file in Files)
        {
            File.Delete(Path.Combine(Directory, file));
        }
    }

    public string MetricsPath => Path.Combine(Directory, MetricsFile);

    public void WriteModel(ReadOnlySpan<float> parameters) =>
        SafetensorsFile.Write(Path.Combine(Directory, ModelFile), parameters);

    public void WriteSummary(TrainingSummary summary) => AtomicFile.WriteAllBytes(
        Path.Combine(Directory, SummaryFile),
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(summary, JsonFormats.Indented) + "\n"));
}
