using System.Text;
using System.Text.Json;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Training;

/// <summary>
/// Keeps <c>metrics.jsonl</c> current: after every epoch the whole file is rewritten atomically, so a reader never
/// sees half a line. Passes all progress on to <paramref name="inner"/>.
/// </summary>
public sealed class MetricsFileSink(string path, IProgressSink inner) : IProgressSink
{
    private readonly StringBuilder _lines = new();

    public void OnStep(StepProgress progress) => inner.OnStep(progress);

    public void OnEpoch(EpochMetrics metrics)
    {
        _lines.Append(JsonSerializer.Serialize(metrics, JsonFormats.Line)).Append('\n');
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(_lines.ToString()));
        inner.OnEpoch(metrics);
    }
}
