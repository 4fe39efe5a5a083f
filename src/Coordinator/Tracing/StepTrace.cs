using System.Text.Json;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Core.Checkpoints;

namespace CnnDistributed.Coordinator.Tracing;

/// <summary>
/// The step timeline of <c>--trace FILE</c> (docs/dashboard.md, "Step timeline"): for <see cref="Steps"/> steps after
/// the first <see cref="WarmupSteps"/>, the coordinator's spans (serialising the weights, sending the assignments,
/// waiting, checking and summing the results) on its track and each worker's round trip on the worker's own track,
/// with workers lost or joined and shard reassignments as instant events. Times are the coordinator's clock; a
/// worker's compute span is its own report, placed in the middle of its round trip (the split of the rest between
/// sending and returning is an estimate: the clocks are not synchronised). Written by the step executor's thread only;
/// <see cref="Write"/> after the run.
/// </summary>
public sealed class StepTrace
{
    /// <summary>Steps left out at the start: connections, buffers and compiled code still settling.</summary>
    public const int WarmupSteps = 5;

    private const int CoordinatorTrack = 1;

    private readonly TimeProvider _timeProvider;
    private readonly long _origin;
    private readonly List<TraceEvent> _events = [];
    private readonly Dictionary<string, int> _workerTracks = [];
    private MembershipChanges? _membership;

    /// <param name="timeProvider">The step executor's clock.</param>
    /// <param name="steps">Steps recorded after the warm-up (<c>--trace-steps</c>).</param>
    public StepTrace(TimeProvider timeProvider, int steps)
    {
        _timeProvider = timeProvider;
        _origin = timeProvider.GetTimestamp();
        Steps = steps;
        _events.Add(Name("process_name", 0, "cnnd"));
        _events.Add(Name("thread_name", CoordinatorTrack, "coordinator"));
    }

    public int Steps { get; }

    /// <summary>Whether <paramref name="step"/> (1-based) falls in the recorded window.</summary>
    public bool Records(long step) => step > WarmupSteps && step <= WarmupSteps + Steps;

    /// <summary>A recorded step begins: workers that left or joined since the last one become instant events.</summary>
    public void BeginStep(IReadOnlyList<WorkerConnection> connected)
    {
        // The first recorded step is the baseline: only later changes are events.
        _membership ??= new MembershipChanges(connected);
        if (!_membership.Update(connected, out var joined, out var left))
        {
            return;
        }
        var now = _timeProvider.GetTimestamp();
        foreach (var gone in left)
        {
            Instant("worker lost", now, TrackOf(gone), new() { ["reason"] = MembershipChanges.WhyLeft(gone) });
        }
        foreach (var worker in joined)
        {
            Instant("worker joined", now, TrackOf(worker), new() { ["device"] = worker.DeviceKind });
        }
    }

    /// <summary>
    /// A span of the coordinator's, from <paramref name="start"/> to <paramref name="end"/> (timestamps).
    /// </summary>
    public void Coordinator(string name, long start, long end, Dictionary<string, object>? args = null) =>
        _events.Add(Span(name, CoordinatorTrack, start, end, args));

    /// <summary>
    /// A worker's round trip for <paramref name="shards"/>: from writing its assignment to receiving its result, with
    /// its reported compute time in the middle.
    /// </summary>
    public void Worker(WorkerConnection worker, string shards, long assigned, long arrived, long computeMicros)
    {
        var track = TrackOf(worker);
        _events.Add(Span($"shards {shards}", track, assigned, arrived));
        var roundTrip = Micros(arrived) - Micros(assigned);
        var compute = Math.Clamp(computeMicros, 0, roundTrip);
        var transfer = (roundTrip - compute) / 2;
        var estimated = new Dictionary<string, object> { ["estimated"] = true };
        _events.Add(At("send", track, Micros(assigned), transfer, estimated));
        _events.Add(At("compute", track, Micros(assigned) + transfer, compute, null));
        var returned = Micros(assigned) + transfer + compute;
        _events.Add(At("return", track, returned, roundTrip - transfer - compute, estimated));
    }

    /// <summary>A worker's assignment that ended without a result.</summary>
    public void WorkerFailed(WorkerConnection worker, string shards, long assigned, long failed, string reason) =>
        _events.Add(Span(
            $"shards {shards}: no result", TrackOf(worker), assigned, failed, new() { ["reason"] = reason }));

    /// <summary>An instant on the coordinator's track, e.g. shards reassigned.</summary>
    public void Instant(string name, long at, Dictionary<string, object> args) =>
        Instant(name, at, CoordinatorTrack, args);

    /// <summary>
    /// Writes the trace to <paramref name="path"/> at once (a reader sees the old file or the whole new one).
    /// </summary>
    public void Write(string path) => AtomicFile.Write(path, stream => JsonSerializer.Serialize(
        stream, new { traceEvents = _events, displayTimeUnit = "ms" }));

    private void Instant(string name, long at, int track, Dictionary<string, object> args) =>
        _events.Add(new TraceEvent
        {
            Name = name,
            Phase = "i",
            TimestampMicros = Micros(at),
            Track = track,
            Scope = "t",
            Args = args,
        });

    private int TrackOf(WorkerConnection worker)
    {
        if (!_workerTracks.TryGetValue(worker.Id, out var track))
        {
            track = CoordinatorTrack + 1 + _workerTracks.Count;
            _workerTracks.Add(worker.Id, track);
            _events.Add(Name("thread_name", track, $"worker {worker}"));
        }
        return track;
    }

    private TraceEvent Span(string name, int track, long start, long end, Dictionary<string, object>? args = null) =>
        At(name, track, Micros(start), Micros(end) - Micros(start), args);

    private static TraceEvent At(
        string name, int track, double start, double duration, Dictionary<string, object>? args) => new()
    {
        Name = name,
        Phase = "X",
        TimestampMicros = start,
        DurationMicros = duration,
        Track = track,
        Args = args,
    };

    private double Micros(long timestamp) => _timeProvider.GetElapsedTime(_origin, timestamp).TotalMicroseconds;

    private static TraceEvent Name(string kind, int track, string name) =>
        new() { Name = kind, Phase = "M", Track = track, Args = new Dictionary<string, object> { ["name"] = name } };
}
