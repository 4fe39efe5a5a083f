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

    public string Directory { get; } = directory;

    public string MetricsPath => Path.Combine(Directory, MetricsFile);

    public void WriteModel(ReadOnlySpan<float> parameters) =>
        SafetensorsFile.Write(Path.Combine(Directory, ModelFile), parameters);

    public void WriteSummary(TrainingSummary summary) => AtomicFile.WriteAllBytes(
        Path.Combine(Directory, SummaryFile),
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(summary, JsonFormats.Indented) + "\n"));
}
