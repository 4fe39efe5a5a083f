using System.Security.Cryptography;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol;
using CnnDistributed.Protocol.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WireScaling = CnnDistributed.Protocol.V1.InputScaling;

namespace CnnDistributed.Coordinator.Membership;

/// <summary>
/// Who is in the job: admits or refuses registrations (protocol version, names, the worker limit, one device kind for
/// all), binds each worker id to the connection that registered it, tracks each worker's state and measured speed,
/// and ends workers' streams when they are dropped or the job finishes (docs/security.md, "Worker identity").
/// </summary>
public sealed class WorkerRegistry(
    IOptions<TrainingOptions> job,
    IOptions<CoordinatorOptions> options,
    TimeProvider timeProvider,
    ILogger<WorkerRegistry> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkerConnection> _workers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WorkerConnection[] _connected = [];
    private int _joined;
    private bool _closed;
    private string? _deviceKind = options.Value.DeviceKind;

    /// <summary>
    /// The device kind every worker of the job shares: the coordinator's choice when it made one
    /// (<see cref="CoordinatorOptions.DeviceKind"/>), otherwise fixed by <see cref="SealDeviceKind"/> at the first
    /// step; null until then.
    /// </summary>
    public string? DeviceKind
    {
        get
        {
            lock (_gate)
            {
                return _deviceKind;
            }
        }
    }

    /// <summary>
    /// The workers with an open work stream, in join order: a snapshot rebuilt on every change, free to read per step.
    /// </summary>
    public IReadOnlyList<WorkerConnection> Connected => Volatile.Read(ref _connected);

    /// <summary>Workers admitted and not yet gone, with or without a work stream.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>
    /// Admits a worker under a fresh random id bound to <paramref name="peer"/>'s connection, or says why not. A
    /// connection holds at most one registration without a work stream: registering again replaces it.
    /// </summary>
    public RegisterReply Register(RegisterRequest request, WorkerPeer peer)
    {
        var refusal = RefusalReason(request);
        if (refusal is not null)
        {
            var name = PeerText.Refusal("name", request.Name, ProtocolLimits.NameBytes) is null
                ? request.Name
                : "(unnamed)";
            logger.LogWarning("Refused worker {Name} from {Peer}: {Reason}", name, peer, refusal);
            return Refuse(refusal);
        }
        WorkerConnection? worker = null;
        lock (_gate)
        {
            if (_closed)
            {
                return Refuse(WorkerRefusals.JobFinished);
            }
            RemovePendingOf(peer.ConnectionId);
            refusal = DeviceKindRefusal(request.DeviceKind)
                ?? (_workers.Count >= options.Value.MaxWorkers
                    ? $"the job already has its maximum of {options.Value.MaxWorkers} workers (--max-workers)"
                    : null);
            if (refusal is null)
            {
                _joined++;
                worker = new WorkerConnection(NewWorkerId(), _joined, request, peer, timeProvider);
                _workers.Add(worker.Id, worker);
            }
        }
        if (worker is null)
        {
            logger.LogWarning("Refused worker {Name} from {Peer}: {Reason}", request.Name, peer, refusal);
            return Refuse(refusal!);
        }
        worker.ExpireWith(peer.ConnectionClosed, () => Expire(worker));
        logger.LogInformation("Worker {Worker} registered from {Peer}: {DeviceKind}, threads: {Threads}",
            worker, peer, worker.DeviceKind, worker.Threads);
        return new RegisterReply
        {
            Accepted = new JobSettings
            {
                WorkerId = worker.Id,
                ShardCount = job.Value.Shards,
                MaxMessageBytes = ProtocolLimits.WorkerReceiveBytes(job.Value.BatchSize, job.Value.Shards),
                InputScaling = job.Value.Scaling == Core.Engine.InputScaling.MnistNormalized
                    ? WireScaling.MnistNormalized
                    : WireScaling.UnitRange,
            },
        };
    }

    /// <summary>
    /// Opens the work stream of a registered worker; it takes part from the next step on. Only the connection that
    /// registered the id may open it, and only once: anything else is refused with <c>PermissionDenied</c>.
    /// </summary>
    public WorkerConnection Attach(string? workerId, WorkerPeer peer, IServerStreamWriter<CoordinatorMessage> writer)
    {
        WorkerConnection? worker;
        string? refusal = null;
        lock (_gate)
        {
            if (workerId is null || !_workers.TryGetValue(workerId, out worker))
            {
                throw new RpcException(
                    new Status(StatusCode.FailedPrecondition, "unknown worker id; register first"));
            }
            if (worker.Peer.ConnectionId != peer.ConnectionId)
            {
                refusal = $"the id of worker {worker} was issued to another connection";
            }
            else if (worker.State != WorkerState.Registered)
            {
                refusal = $"worker {worker} already has a work stream";
            }
            else
            {
                worker.AttachWriter(writer);
                worker.State = WorkerState.Connected;
                SignalChange();
            }
        }
        if (refusal is not null)
        {
            logger.LogWarning("Refused a work stream from {Peer}: {Reason}", peer, refusal);
            throw new RpcException(new Status(StatusCode.PermissionDenied, refusal));
        }
        logger.LogInformation("Worker {Worker} connected; {Count} workers in the job", worker, Connected.Count);
        return worker;
    }

    /// <summary>
    /// Fixes the job's device kind before its first step, when the coordinator did not choose one: the kind most
    /// connected workers share (on a tie, that of the earliest to join). Workers of another kind are dropped, since
    /// their results would not be bit-identical; later registrations of another kind are refused.
    /// </summary>
    public void SealDeviceKind()
    {
        List<WorkerConnection> others;
        string kind;
        lock (_gate)
        {
            if (_deviceKind is not null)
            {
                return;
            }
            var connected = Connected;
            if (connected.Count == 0)
            {
                return;
            }
            kind = connected
                .GroupBy(w => w.DeviceKind)
                .OrderByDescending(g => g.Count())
                .ThenBy(g => g.Min(w => w.JoinOrder))
                .First().Key;
            _deviceKind = kind;
            others = [.. _workers.Values.Where(w => w.DeviceKind != kind)];
        }
        logger.LogInformation("The job's device kind is {DeviceKind}", kind);
        foreach (var worker in others)
        {
            Drop(worker, $"device kind '{worker.DeviceKind}' differs from the job's '{kind}'");
        }
    }

    /// <summary>Removes a misbehaving or silent worker from the job, logging why.</summary>
    public void Drop(WorkerConnection worker, string reason)
    {
        if (TryClose(worker))
        {
            logger.LogWarning("Dropped worker {Worker}: {Reason}", worker, reason);
            _ = worker.CloseAsync(null, reason, failed: true);
        }
    }

    /// <summary>Records that a worker's stream ended on its side.</summary>
    public void Lost(WorkerConnection worker, string reason)
    {
        if (TryClose(worker))
        {
            logger.LogWarning("Lost worker {Worker}: {Reason}", worker, reason);
            _ = worker.CloseAsync(null, reason, failed: true);
        }
    }

    public async Task WaitForWorkersAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_workers.Values.Count(w => w.State == WorkerState.Connected) >= count)
                {
                    return;
                }
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Ends the job: sends every worker a shutdown, refuses later registrations, and waits for streams to close.
    /// </summary>
    public async Task ShutdownAsync(string reason, TimeProvider timeProvider)
    {
        List<WorkerConnection> open;
        List<Task> streams;
        lock (_gate)
        {
            _closed = true;
            open = [.. _workers.Values.Where(w => w.State != WorkerState.Closed)];
            streams = [.. open.Where(w => w.State == WorkerState.Connected).Select(w => w.StreamEnded)];
            foreach (var worker in open)
            {
                worker.State = WorkerState.Closed;
            }
            SignalChange();
        }
        var shutdown = new CoordinatorMessage { Shutdown = new Shutdown { Reason = reason } };
        foreach (var worker in open)
        {
            _ = worker.CloseAsync(shutdown, reason, failed: false);
        }
        try
        {
            await Task.WhenAll(streams).WaitAsync(options.Value.ShutdownTimeout, timeProvider);
        }
        catch (TimeoutException)
        {
            logger.LogWarning(
                "Some workers did not close their streams within {Timeout}", options.Value.ShutdownTimeout);
        }
    }

    private bool TryClose(WorkerConnection worker)
    {
        lock (_gate)
        {
            if (worker.State == WorkerState.Closed)
            {
                return false;
            }
            worker.State = WorkerState.Closed;
            _workers.Remove(worker.Id);
            SignalChange();
            return true;
        }
    }

    /// <summary>
    /// The connection of a worker closed: a registration that never opened its stream is forgotten; an open stream
    /// fails on its own and its reader reports the loss.
    /// </summary>
    private void Expire(WorkerConnection worker)
    {
        lock (_gate)
        {
            if (worker.State != WorkerState.Registered)
            {
                return;
            }
            worker.State = WorkerState.Closed;
            _workers.Remove(worker.Id);
        }
        logger.LogInformation("Registration of worker {Worker} expired: its connection closed", worker);
        _ = worker.CloseAsync(null, "its connection closed before it opened a work stream", failed: true);
    }

    /// <summary>Forgets the registration from <paramref name="connectionId"/> without a work stream, if any.</summary>
    private void RemovePendingOf(string connectionId)
    {
        foreach (var pending in _workers.Values)
        {
            if (pending.State == WorkerState.Registered && pending.Peer.ConnectionId == connectionId)
            {
                pending.State = WorkerState.Closed;
                _workers.Remove(pending.Id);
                _ = pending.CloseAsync(null, "replaced by a newer registration from its connection", failed: true);
                return;
            }
        }
    }

    /// <summary>Why a worker of <paramref name="kind"/> may not join, or null; callers hold the lock.</summary>
    private string? DeviceKindRefusal(string kind) =>
        _deviceKind is not null && _deviceKind != kind
            ? $"device kind '{kind}' differs from the job's '{_deviceKind}'; results would not be bit-identical"
            : null;

    /// <summary>A worker id: 128 random bits in hex, not guessable and never reused.</summary>
    private static string NewWorkerId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private void SignalChange()
    {
        Volatile.Write(
            ref _connected,
            [.. _workers.Values.Where(w => w.State == WorkerState.Connected).OrderBy(w => w.JoinOrder)]);
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static RegisterReply Refuse(string reason) =>
        new() { Refused = new Refusal { Reason = reason, SupportedProtocolVersion = (uint)ProtocolVersion.Current } };

    private static string? RefusalReason(RegisterRequest request)
    {
        if (request.ProtocolVersion != (uint)ProtocolVersion.Current)
        {
            return $"protocol version {request.ProtocolVersion} is not supported; "
                + $"this coordinator speaks version {(uint)ProtocolVersion.Current}";
        }
        return PeerText.Refusal("name", request.Name, ProtocolLimits.NameBytes)
            ?? PeerText.Refusal("device kind", request.DeviceKind, ProtocolLimits.DeviceKindBytes);
    }
}
