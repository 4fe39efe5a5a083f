using System.Text;
using System.Text.Json;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Runs;

/// <summary>
/// Keeps <c>metrics.jsonl</c> current: after every epoch the whole file is rewritten atomically, so a reader never
/// sees half a line. A resumed job starts from the earlier epochs its checkpoint holds, written at once. Passes all
/// progress on to the inner sink.
/// </summary>
public sealed class MetricsFileSink : IProgressSink
{
    private readonly StringBuilder _lines = new();
    private readonly string _path;
    private readonly IProgressSink _inner;

    public MetricsFileSink(string path, IProgressSink inner, IReadOnlyList<EpochMetrics>? earlier = null)
    {
        _path = path;
        _inner = inner;
        foreach (var metrics in earlier ?? [])
        {
            _lines.Append(JsonSerializer.Serialize(metrics, JsonFormats.Line)).Append('\n');
        }
        if (_lines.Length > 0)
        {
            AtomicFile.WriteAllBytes(_path, Encoding.UTF8.GetBytes(_lines.ToString()));
        }
    }

    public void OnStep(StepProgress progress) => _inner.OnStep(progress);

    public void OnEpoch(EpochMetrics metrics)
    {
        _lines.Append(JsonSerializer.Serialize(metrics, JsonFormats.Line)).Append('\n');
        AtomicFile.WriteAllBytes(_path, Encoding.UTF8.GetBytes(_lines.ToString()));
        _inner.OnEpoch(metrics);
    }
}
