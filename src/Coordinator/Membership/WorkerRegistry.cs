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
/// Who is in the job: admits or refuses registrations (protocol version, one device kind for all), tracks each
/// worker's state and measured speed, and ends workers' streams when they are dropped or the job finishes.
/// </summary>
public sealed class WorkerRegistry(
    IOptions<TrainingOptions> job,
    IOptions<CoordinatorOptions> options,
    ILogger<WorkerRegistry> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkerConnection> _workers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WorkerConnection[] _connected = [];
    private int _joined;
    private bool _closed;

    /// <summary>The device kind every worker of the job shares; null until the first worker is admitted.</summary>
    public string? DeviceKind { get; private set; }

    /// <summary>
    /// The workers with an open work stream, in join order: a snapshot rebuilt on every change, free to read per step.
    /// </summary>
    public IReadOnlyList<WorkerConnection> Connected => Volatile.Read(ref _connected);

    public RegisterReply Register(RegisterRequest request, string peer)
    {
        var refusal = RefusalReason(request);
        if (refusal is not null)
        {
            logger.LogWarning("Refused worker {Name} from {Peer}: {Reason}", request.Name, peer, refusal);
            return Refuse(refusal);
        }
        WorkerConnection worker;
        lock (_gate)
        {
            if (_closed)
            {
                return Refuse(WorkerRefusals.JobFinished);
            }
            if (DeviceKind is not null && DeviceKind != request.DeviceKind)
            {
                var reason = $"device kind '{request.DeviceKind}' differs from the job's '{DeviceKind}'; "
                    + "results would not be bit-identical";
                logger.LogWarning("Refused worker {Name} from {Peer}: {Reason}", request.Name, peer, reason);
                return Refuse(reason);
            }
            DeviceKind = request.DeviceKind;
            _joined++;
            worker = new WorkerConnection($"w{_joined}", _joined, request);
            _workers.Add(worker.Id, worker);
        }
        logger.LogInformation("Worker {Name} registered from {Peer} as {WorkerId}: {DeviceKind}, threads: {Threads}",
            worker.Name, peer, worker.Id, worker.DeviceKind, worker.Threads);
        return new RegisterReply
        {
            Accepted = new JobSettings
            {
                WorkerId = worker.Id,
                ShardCount = job.Value.Shards,
                MaxMessageBytes = options.Value.MaxMessageBytes,
                InputScaling = job.Value.Scaling == Core.Engine.InputScaling.MnistNormalized
                    ? WireScaling.MnistNormalized
                    : WireScaling.UnitRange,
            },
        };
    }

    /// <summary>Opens the work stream of a registered worker; it takes part from the next step on.</summary>
    public WorkerConnection Attach(string? workerId, IServerStreamWriter<CoordinatorMessage> writer)
    {
        WorkerConnection? worker;
        lock (_gate)
        {
            if (workerId is null || !_workers.TryGetValue(workerId, out worker))
            {
                throw new RpcException(
                    new Status(StatusCode.FailedPrecondition, $"unknown worker id '{workerId}'; register first"));
            }
            if (worker.State != WorkerState.Registered)
            {
                throw new RpcException(
                    new Status(StatusCode.FailedPrecondition, $"worker {workerId} already opened its work stream"));
            }
            worker.AttachWriter(writer);
            worker.State = WorkerState.Connected;
            SignalChange();
        }
        logger.LogInformation("Worker {Worker} connected; {Count} workers in the job", worker, Connected.Count);
        return worker;
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
            SignalChange();
            return true;
        }
    }

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
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return "a worker must give a name";
        }
        if (string.IsNullOrWhiteSpace(request.DeviceKind))
        {
            return "a worker must give its device kind";
        }
        return null;
    }
}
