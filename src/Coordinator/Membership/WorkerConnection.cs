using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Grpc.Core;

namespace CnnDistributed.Coordinator.Membership;

/// <summary>
/// One registered worker: who it is, how fast it has been (as the coordinator measures it: from writing an assignment
/// to receiving its result, whatever the worker says about its own compute time), and its work stream. The step path
/// writes assignments straight to the stream and the stream's reader completes the awaited result in place, so a step
/// costs no queue hand-offs or thread-pool hops between the wire and the executor.
/// </summary>
public sealed class WorkerConnection
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly TaskCompletionSource _streamEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IServerStreamWriter<CoordinatorMessage>? _writer;
    private TaskCompletionSource<ReceivedResult>? _expected;
    private long _lastAssignedStep = -1;
    private long _assignedAt;
    private string? _closeReason;
    private CancellationTokenRegistration _expiry;

    internal WorkerConnection(
        string id, int joinOrder, RegisterRequest request, WorkerPeer peer, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Id = id;
        JoinOrder = joinOrder;
        Name = request.Name;
        DeviceKind = request.DeviceKind;
        Threads = request.Threads;
        Peer = peer;
    }

    /// <summary>The worker's id: 128 random bits in hex, issued at registration.</summary>
    public string Id { get; }

    /// <summary>The first eight hex digits of <see cref="Id"/>: enough to tell workers apart in logs.</summary>
    public string ShortId => Id[..8];

    /// <summary>Where the worker registered from; only this connection may open its work stream.</summary>
    public WorkerPeer Peer { get; }

    public int JoinOrder { get; }

    public string Name { get; }

    public string DeviceKind { get; }

    public int Threads { get; }

    public WorkerState State { get; internal set; } = WorkerState.Registered;

    /// <summary>
    /// Throughput the coordinator measured (samples per second from assignment written to result received), 0 until
    /// its first result.
    /// </summary>
    public double SamplesPerSecond { get; internal set; }

    /// <summary>Seconds from writing the latest assignment to receiving its result, 0 until its first result.</summary>
    public double LastRoundTripSeconds { get; private set; }

    /// <summary>
    /// When its latest result arrived (a <see cref="TimeProvider.GetTimestamp"/> value; 0: none yet).
    /// </summary>
    public long LastResultAt { get; private set; }

    /// <summary>Samples its latest accepted result covered (0: none yet).</summary>
    public int LastSamples { get; private set; }

    /// <summary>Why its stream ended: the reason of a drop or of the shutdown (null while it is open).</summary>
    public string? CloseReason
    {
        get
        {
            lock (_gate)
            {
                return _closeReason;
            }
        }
    }

    /// <summary>
    /// Results refused for their values since this worker's last accepted one (the step executor's count, read and
    /// written on the step's thread).
    /// </summary>
    internal int RefusedInARow { get; set; }

    /// <summary>The weights version last sent to this worker (0: none yet).</summary>
    internal ulong WeightsVersion { get; set; }

    internal Task StreamEnded => _streamEnded.Task;

    /// <summary>The step of the latest assignment written to this worker (-1: none yet).</summary>
    internal long LastAssignedStep
    {
        get
        {
            lock (_gate)
            {
                return _lastAssignedStep;
            }
        }
    }

    /// <summary>Completes when the job ends this stream: null for a shutdown, the reason for a drop.</summary>
    internal Task<string?> Closed => _closed.Task;

    public override string ToString() => $"{Name} ({ShortId})";

    /// <summary>Runs <paramref name="expire"/> when the worker's connection closes, until the worker closes.</summary>
    internal void ExpireWith(CancellationToken connectionClosed, Action expire) =>
        _expiry = connectionClosed.Register(expire);

    internal void AttachWriter(IServerStreamWriter<CoordinatorMessage> writer) => _writer = writer;

    /// <summary>
    /// Arms the wait for this worker's next result and writes the assignment. A result can only come back once the
    /// assignment was serialized, so after a successful result the caller may reuse the buffers the message wraps.
    /// </summary>
    internal Task<ReceivedResult> AssignAsync(
        CoordinatorMessage assignment,
        long step,
        CancellationToken cancellationToken)
    {
        // Continuations run on the stream reader's thread: the executor resumes where the last result was parsed.
        var expected = new TaskCompletionSource<ReceivedResult>();
        lock (_gate)
        {
            if (_closeReason is not null)
            {
                return Task.FromException<ReceivedResult>(new WorkerDroppedException(_closeReason));
            }
            _expected = expected;
            _lastAssignedStep = step;
            _assignedAt = _timeProvider.GetTimestamp();
        }
        _ = WriteOrFailAsync(assignment, expected, cancellationToken);
        return expected.Task;
    }

    /// <summary>
    /// Hands a result from the wire to the waiting step, which then owns its buffers. A late result of an earlier step
    /// (its shards were recomputed elsewhere) is released and discarded; false when the result answers no step this
    /// worker was given (the caller still owns it).
    /// </summary>
    internal bool Deliver(ReceivedResult received)
    {
        var step = received.Result?.StepId
            ?? throw new ArgumentException("a message without a result", nameof(received));
        TaskCompletionSource<ReceivedResult>? expected;
        lock (_gate)
        {
            if (step < _lastAssignedStep || (_expected is null && step == _lastAssignedStep))
            {
                received.Release();
                return true;
            }
            expected = _expected;
            _expected = null;
            if (expected is not null)
            {
                LastResultAt = _timeProvider.GetTimestamp();
                LastRoundTripSeconds = _timeProvider.GetElapsedTime(_assignedAt, LastResultAt).TotalSeconds;
            }
        }
        return expected is not null && expected.TrySetResult(received);
    }

    /// <summary>
    /// The weight of the latest step in <see cref="SamplesPerSecond"/> (an exponential moving average over about ten
    /// steps): a lasting change of speed shows within a few steps, one step slowed by a neighbour on its cores barely.
    /// </summary>
    internal const double SpeedSmoothing = 0.1;

    /// <summary>
    /// Steps in a row a measured worker may be given nothing before the split counts it as unmeasured again
    /// (<see cref="SplitSpeed"/>). Without it, a worker the split left out was never measured again: one slow first
    /// step (its code still compiling, its cores busy) kept it idle for the rest of the run.
    /// </summary>
    internal const int RemeasureAfterSteps = 16;

    /// <summary>
    /// The longest wait between remeasurements of a worker that stays too slow to be given shards: each remeasurement
    /// that leaves it out again doubles the wait, up to this, so a slow worker costs a slow step ever more rarely.
    /// </summary>
    internal const int MaxRemeasureAfterSteps = 1024;

    private int _remeasureAfterSteps = RemeasureAfterSteps;
    private bool _remeasuring;

    /// <summary>
    /// The speed the shard split counts for this worker at <paramref name="step"/>: <see cref="SamplesPerSecond"/>, or
    /// 0 (unmeasured, which the split counts as the mean of the others) from the step that finds it given nothing for
    /// more than its remeasurement wait until its next result, which then sets its speed alone.
    /// <see cref="SamplesPerSecond"/> itself stays: the remeasured assignment's deadline follows this worker's speed.
    /// </summary>
    internal double SplitSpeed(long step)
    {
        if (!_remeasuring && SamplesPerSecond > 0 && step - LastAssignedStep > _remeasureAfterSteps)
        {
            _remeasuring = true;
            _remeasureAfterSteps = Math.Min(2 * _remeasureAfterSteps, MaxRemeasureAfterSteps);
        }
        return _remeasuring ? 0 : SamplesPerSecond;
    }

    /// <summary>
    /// Counts the <paramref name="samples"/> of the latest round trip into the speed: the first measurement, and a
    /// remeasurement, set it; any other adds a tenth and resets the remeasurement wait.
    /// </summary>
    internal void RecordSpeed(int samples)
    {
        if (samples <= 0 || LastRoundTripSeconds <= 0)
        {
            return;
        }
        LastSamples = samples;
        var measured = samples / LastRoundTripSeconds;
        if (SamplesPerSecond == 0 || _remeasuring)
        {
            SamplesPerSecond = measured;
            _remeasuring = false;
            return;
        }
        SamplesPerSecond = (1 - SpeedSmoothing) * SamplesPerSecond + SpeedSmoothing * measured;
        _remeasureAfterSteps = RemeasureAfterSteps;
    }

    /// <summary>
    /// Ends the stream, after a final message (shutdown) or with an error (drop), and fails any wait for a result.
    /// </summary>
    internal async Task CloseAsync(CoordinatorMessage? finalMessage, string reason, bool failed)
    {
        TaskCompletionSource<ReceivedResult>? expected;
        lock (_gate)
        {
            _closeReason ??= reason;
            expected = _expected;
            _expected = null;
        }
        _expiry.Dispose();
        expected?.TrySetException(new WorkerDroppedException(reason));
        if (finalMessage is not null && _writer is not null)
        {
            try
            {
                await WriteAsync(finalMessage, CancellationToken.None);
            }
            catch (Exception e)
                when (e is IOException or InvalidOperationException or OperationCanceledException or RpcException)
            {
                failed = true;
            }
        }
        _closed.TrySetResult(failed ? reason : null);
    }

    internal void MarkStreamEnded() => _streamEnded.TrySetResult();

    private async Task WriteOrFailAsync(
        CoordinatorMessage message,
        TaskCompletionSource<ReceivedResult> expected,
        CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(message, cancellationToken);
        }
        catch (Exception e)
        {
            expected.TrySetException(new WorkerDroppedException($"its work stream is closed: {e.Message}"));
        }
    }

    private async Task WriteAsync(CoordinatorMessage message, CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException("the work stream is not open");
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await writer.WriteAsync(message, cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }
}
