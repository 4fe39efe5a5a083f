using CnnDistributed.Coordinator.Runs;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Progress;

/// <summary>
/// <c>--json</c> progress: a <c>"type":"step"</c> line at most every <see cref="StepInterval"/> (and for the last
/// step), and a <c>"type":"epoch"</c> line per epoch with the fields of metrics.jsonl.
/// </summary>
public sealed class JsonProgressSink(TextWriter output, TimeProvider time) : IProgressSink
{
    /// <summary>The shortest time between two step lines.</summary>
    public static readonly TimeSpan StepInterval = TimeSpan.FromSeconds(1);

    private long _lastStepLine = time.GetTimestamp();

    public void OnStep(StepProgress progress)
    {
        if (progress.Step < progress.TotalSteps && time.GetElapsedTime(_lastStepLine) < StepInterval)
        {
            return;
        }
        _lastStepLine = time.GetTimestamp();
        Write(JsonFormats.TypedLine("step", progress));
    }

    public void OnEpoch(EpochMetrics metrics) => Write(JsonFormats.TypedLine("epoch", metrics));

    private void Write(string line)
    {
        output.WriteLine(line);
        output.Flush();
    }
}
