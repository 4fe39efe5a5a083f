using System.Threading.Channels;
using CnnDistributed.Protocol.V1;

namespace CnnDistributed.Coordinator.Cluster;

/// <summary>One registered worker: who it is, how fast it has been, and the two queues of its work stream.</summary>
public sealed class WorkerConnection
{
    private readonly Channel<CoordinatorMessage> _outbox = Channel.CreateUnbounded<CoordinatorMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<StepResult> _inbox = Channel.CreateUnbounded<StepResult>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource _streamEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal WorkerConnection(string id, int joinOrder, RegisterRequest request)
    {
        Id = id;
        JoinOrder = joinOrder;
        Name = request.Name;
        DeviceKind = request.DeviceKind;
        Threads = request.Threads;
    }

    public string Id { get; }

    public int JoinOrder { get; }

    public string Name { get; }

    public string DeviceKind { get; }

    public int Threads { get; }

    public WorkerState State { get; internal set; } = WorkerState.Registered;

    /// <summary>Measured throughput (samples per second of worker compute), 0 until its first result.</summary>
    public double SamplesPerSecond { get; internal set; }

    /// <summary>Compute seconds the worker reported for its latest step, 0 until its first result.</summary>
    public double LastComputeSeconds { get; private set; }

    /// <summary>The weights version last sent to this worker (0: none yet).</summary>
    internal ulong WeightsVersion { get; set; }

    internal ChannelReader<CoordinatorMessage> Outbox => _outbox.Reader;

    internal ChannelReader<StepResult> Inbox => _inbox.Reader;

    internal Task StreamEnded => _streamEnded.Task;

    public override string ToString() => $"{Name} ({Id})";

    internal bool TrySend(CoordinatorMessage message) => _outbox.Writer.TryWrite(message);

    internal void Deliver(StepResult result) => _inbox.Writer.TryWrite(result);

    internal void RecordSpeed(int samples, long computeMicros)
    {
        if (samples <= 0 || computeMicros <= 0)
        {
            return;
        }
        LastComputeSeconds = computeMicros / 1e6;
        var measured = samples / LastComputeSeconds;
        SamplesPerSecond = SamplesPerSecond == 0 ? measured : 0.7 * SamplesPerSecond + 0.3 * measured;
    }

    /// <summary>Ends the outbound stream, with a final message (shutdown) or with an error (drop), and fails any wait for a result.</summary>
    internal void Close(CoordinatorMessage? finalMessage, string reason, bool failed)
    {
        if (finalMessage is not null)
        {
            _outbox.Writer.TryWrite(finalMessage);
        }
        _outbox.Writer.TryComplete(failed ? new WorkerDroppedException(reason) : null);
        _inbox.Writer.TryComplete(new WorkerDroppedException(reason));
    }

    internal void MarkStreamEnded() => _streamEnded.TrySetResult();
}
