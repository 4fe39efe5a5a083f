using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>
/// Everything the dashboard shows about one run (docs/dashboard.md): the training loop's progress and epochs as they
/// are reported, and, sampled every <see cref="SampleInterval"/> off the loop's thread, a curve point, the workers of
/// the <see cref="WorkerRegistry"/> (joined, lost, their speed) and shard reassignments. Each change is also appended
/// to the <see cref="RunEventLog"/>. The loop only stores its latest progress, so a run with nobody watching pays
/// one field write per step.
/// </summary>
public sealed class RunMonitor : IDisposable
{
    /// <summary>How often curves and workers are sampled.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A connected worker below this fraction of the workers' median samples/s is flagged a straggler.
    /// </summary>
    public const double StragglerFraction = 2.0 / 3.0;

    /// <summary>Curve points kept: when full, every other one is dropped and sampling halves its rate.</summary>
    public const int MaxPoints = 2000;

    /// <summary>Events in <see cref="DashboardState.RecentEvents"/>.</summary>
    public const int RecentEvents = 50;

    /// <summary>Workers that left kept in the table, the newest first.</summary>
    public const int DepartedRows = 64;

    /// <summary>Step times per worker kept for its median.</summary>
    private const int StepTimesKept = 64;

    private readonly Lock _gate = new();
    private readonly RunDescription _run;
    private readonly TimeProvider _timeProvider;
    private readonly List<CurvePoint> _points = [];
    private readonly List<EpochPoint> _epochs = [];
    private readonly Dictionary<string, WorkerTrack> _workers = [];
    private readonly ITimer _sampler;
    private StepProgress? _latest;
    private long _sampledStep = -1;
    private int _ticksPerPoint = 1;
    private int _ticks;
    private string _status = "running";
    private string _deviceChoice = "";
    private long _totalSteps;
    private double? _finishedAt;
    private WorkerRegistry? _registry;
    private DistributedStepExecutor? _executor;
    private readonly MembershipChanges _membership = new();
    private ShardReassignment? _reassignment;

    public RunMonitor(RunDescription run, RunEventLog events, TimeProvider timeProvider)
    {
        _run = run;
        Events = events;
        _timeProvider = timeProvider;
        _sampler = timeProvider.CreateTimer(_ => Sample(), null, SampleInterval, SampleInterval);
    }

    public RunEventLog Events { get; }

    /// <summary>From now on the workers of <paramref name="registry"/> appear in the table and as events.</summary>
    public void Watch(WorkerRegistry registry)
    {
        lock (_gate)
        {
            _registry = registry;
        }
    }

    /// <summary>
    /// The job's <paramref name="totalSteps"/> steps start on <paramref name="executor"/>, whose shard reassignments
    /// become events.
    /// </summary>
    public void Started(string deviceChoice, long totalSteps, IStepExecutor? executor)
    {
        lock (_gate)
        {
            _deviceChoice = deviceChoice;
            _totalSteps = totalSteps;
            _executor = executor as DistributedStepExecutor;
            Events.Append("started", new { device_choice = deviceChoice, total_steps = totalSteps });
        }
    }

    /// <summary>Called by the training loop after each step: keeps the latest progress for the next sample.</summary>
    public void OnStep(StepProgress progress) => Volatile.Write(ref _latest, progress);

    /// <summary>Called with each <c>metrics.jsonl</c> line as it is written.</summary>
    public void OnEpoch(EpochMetrics metrics)
    {
        lock (_gate)
        {
            AddEpoch(metrics, Events.ElapsedSeconds);
        }
    }

    /// <summary>
    /// An epoch of a finished run, at the time its line recorded; its training means are also the curves' point.
    /// </summary>
    public void Replay(EpochMetrics metrics)
    {
        lock (_gate)
        {
            var point = new CurvePoint(
                metrics.ElapsedSeconds,
                metrics.Epoch,
                metrics.Step,
                metrics.TrainLoss,
                metrics.TrainAccuracy,
                metrics.SamplesPerSecond);
            _points.Add(point);
            Events.Append("progress", point, point.ElapsedSeconds);
            AddEpoch(metrics, metrics.ElapsedSeconds);
        }
    }

    /// <summary>A checkpoint of <paramref name="step"/> was handed to its writer.</summary>
    public void OnCheckpoint(long step, string path) => Events.Append("checkpoint", new { step, path });

    /// <summary>
    /// The run ended: <paramref name="status"/> is finished or failed; <paramref name="data"/> says how.
    /// </summary>
    public void Finish<T>(string status, T data)
    {
        Sample();
        lock (_gate)
        {
            _status = status;
            _finishedAt = Math.Max(
                Events.ElapsedSeconds,
                Math.Max(_points.LastOrDefault()?.ElapsedSeconds ?? 0, _epochs.LastOrDefault()?.AtSeconds ?? 0));
        }
        _sampler.Dispose();
        Events.Append(status, data);
    }

    /// <summary>The state as <c>GET /api/state</c> returns it.</summary>
    public DashboardState Snapshot()
    {
        lock (_gate)
        {
            var latest = Volatile.Read(ref _latest);
            var elapsed = _finishedAt ?? Events.ElapsedSeconds;
            var lastEventId = Events.LastId;
            var step = latest?.Step ?? _epochs.LastOrDefault()?.Metrics.Step ?? 0;
            return new DashboardState
            {
                RunId = _run.RunId,
                Status = _status,
                Config = _run.Config,
                Seed = _run.Seed,
                DeviceChoice = _deviceChoice,
                Epoch = latest?.Epoch ?? _epochs.LastOrDefault()?.Metrics.Epoch ?? 0,
                Epochs = _run.Epochs,
                Step = step,
                TotalSteps = _totalSteps,
                ElapsedSeconds = elapsed,
                EtaSeconds = _status == "running" && latest is { Step: > 0 } && _points.Count > 0
                    ? (_totalSteps - step) * latest.ElapsedSeconds / latest.Step
                    : null,
                Points = _points.ToList(),
                EpochMetrics = _epochs.ToList(),
                Workers = Rows(),
                RecentEvents = Events.After(Math.Max(0, lastEventId - RecentEvents)).Where(e => e.Id <= lastEventId)
                    .ToList(),
                LastEventId = lastEventId,
            };
        }
    }

    public void Dispose() => _sampler.Dispose();

    private void Sample()
    {
        lock (_gate)
        {
            SampleCurves();
            SampleWorkers();
            if (_executor?.LastReassignment is { } reassignment && !ReferenceEquals(reassignment, _reassignment))
            {
                _reassignment = reassignment;
                Events.Append("shards_reassigned", new
                {
                    step = reassignment.Step,
                    after_ms = _timeProvider.GetElapsedTime(reassignment.DetectedAt, reassignment.ReassignedAt)
                        .TotalMilliseconds,
                });
            }
        }
    }

    private void AddEpoch(EpochMetrics metrics, double atSeconds)
    {
        _epochs.Add(new EpochPoint(atSeconds, metrics));
        Events.Append("epoch", metrics, atSeconds);
    }

    private void SampleCurves()
    {
        if (++_ticks < _ticksPerPoint || Volatile.Read(ref _latest) is not { } latest || latest.Step == _sampledStep)
        {
            return;
        }
        _ticks = 0;
        _sampledStep = latest.Step;
        if (_points.Count == MaxPoints)
        {
            for (var i = 0; i < MaxPoints / 2; i++)
            {
                _points[i] = _points[2 * i + 1];
            }
            _points.RemoveRange(MaxPoints / 2, MaxPoints / 2);
            _ticksPerPoint *= 2;
        }
        var point = new CurvePoint(
            Events.ElapsedSeconds,
            latest.Epoch,
            latest.Step,
            latest.TrainLoss,
            latest.TrainAccuracy,
            latest.SamplesPerSecond);
        _points.Add(point);
        Events.Append("progress", point, point.ElapsedSeconds);
    }

    private void SampleWorkers()
    {
        if (_registry is null)
        {
            return;
        }
        if (_membership.Update(_registry.Connected, out var joined, out var left))
        {
            foreach (var worker in joined)
            {
                _workers.Add(worker.Id, new WorkerTrack(worker));
                Events.Append(
                    "worker_joined", new { id = worker.ShortId, name = worker.Name, device = worker.DeviceKind });
            }
            foreach (var track in left.Select(w => _workers[w.Id]))
            {
                track.DepartedAt = Events.ElapsedSeconds;
                track.Reason = MembershipChanges.WhyLeft(track.Worker);
                Events.Append(
                    "worker_lost", new { id = track.Worker.ShortId, name = track.Worker.Name, reason = track.Reason });
            }
            foreach (var old in _workers.Values.Where(t => t.DepartedAt is not null)
                         .OrderByDescending(t => t.DepartedAt).Skip(DepartedRows).ToList())
            {
                _workers.Remove(old.Worker.Id);
            }
        }
        foreach (var track in _workers.Values.Where(t => t.DepartedAt is null))
        {
            track.Sample();
        }
    }

    private List<WorkerRow> Rows()
    {
        var now = _timeProvider.GetTimestamp();
        var live = _workers.Values.Where(t => t.DepartedAt is null).ToList();
        var speeds = live.Select(t => t.Worker.SamplesPerSecond).Where(s => s > 0).Order().ToList();
        var medianSpeed = speeds.Count == 0 ? 0 : speeds[speeds.Count / 2];
        var samplesPerShard = Math.Max(1, _run.BatchSize / _run.Shards);
        return _workers.Values
            .OrderBy(t => t.DepartedAt is null ? 0 : 1)
            .ThenBy(t => t.Worker.JoinOrder)
            .Select(t => new WorkerRow
            {
                Id = t.Worker.ShortId,
                Name = t.Worker.Name,
                State = t.DepartedAt is null ? "connected" : _status == "running" ? "lost" : "left",
                Device = t.Worker.DeviceKind,
                HeartbeatAgeSeconds = t.Worker.LastResultAt == 0
                    ? null
                    : _timeProvider.GetElapsedTime(t.Worker.LastResultAt, now).TotalSeconds,
                LastStepSeconds = t.Worker.LastRoundTripSeconds > 0 ? t.Worker.LastRoundTripSeconds : null,
                MedianStepSeconds = t.MedianStepSeconds,
                SamplesPerSecond = t.Worker.SamplesPerSecond,
                ShardsPerStep = (t.Worker.LastSamples + samplesPerShard - 1) / samplesPerShard,
                Straggler = t.DepartedAt is null && speeds.Count > 1 && t.Worker.SamplesPerSecond > 0
                    && t.Worker.SamplesPerSecond < StragglerFraction * medianSpeed,
                Reason = t.Reason,
            })
            .ToList();
    }

    /// <summary>A worker seen by the monitor and its recent step times.</summary>
    private sealed class WorkerTrack(WorkerConnection worker)
    {
        private readonly Queue<double> _stepTimes = new();
        private long _sampledResultAt;

        public WorkerConnection Worker { get; } = worker;

        public double? DepartedAt { get; set; }

        public string? Reason { get; set; }

        public double? MedianStepSeconds
        {
            get
            {
                if (_stepTimes.Count == 0)
                {
                    return null;
                }
                var sorted = _stepTimes.Order().ToList();
                return sorted[sorted.Count / 2];
            }
        }

        public void Sample()
        {
            var resultAt = Worker.LastResultAt;
            if (resultAt == 0 || resultAt == _sampledResultAt)
            {
                return;
            }
            _sampledResultAt = resultAt;
            _stepTimes.Enqueue(Worker.LastRoundTripSeconds);
            if (_stepTimes.Count > StepTimesKept)
            {
                _stepTimes.Dequeue();
            }
        }
    }
}
