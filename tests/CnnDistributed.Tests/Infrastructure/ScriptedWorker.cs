using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A worker played by the test directly on a <see cref="WorkerRegistry"/>, with no network: it takes the assignments the
/// executor queues for it and answers only when told, with zero gradients and a chosen speed.
/// </summary>
public sealed class ScriptedWorker
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(10);

    private readonly int _shardCount;

    private readonly ChannelStreamWriter<CoordinatorMessage> _stream;

    private ScriptedWorker(WorkerConnection connection, ChannelStreamWriter<CoordinatorMessage> stream, int shardCount)
    {
        Connection = connection;
        _stream = stream;
        _shardCount = shardCount;
    }

    public WorkerConnection Connection { get; }

    /// <summary>Registers <paramref name="name"/> and opens its work stream, so it takes part from the next step on.</summary>
    public static ScriptedWorker Join(WorkerRegistry registry, string name)
    {
        var peer = new WorkerPeer("scripted", name, null, CancellationToken.None);
        var reply = registry.Register(new RegisterRequest { Name = name, DeviceKind = "cpu", Threads = 1, ProtocolVersion = (uint)ProtocolVersion.Current }, peer);
        var job = reply.Accepted ?? throw new InvalidOperationException($"{name} was refused: {reply.Refused.Reason}");
        var stream = new ChannelStreamWriter<CoordinatorMessage>();
        return new ScriptedWorker(registry.Attach(job.WorkerId, peer, stream), stream, job.ShardCount);
    }

    /// <summary>The next assignment queued for this worker (failing after 10 s of real time when none comes).</summary>
    public async Task<StepAssignment> NextAssignmentAsync()
    {
        using var timeout = new CancellationTokenSource(LongestWait);
        var message = await _stream.Messages.ReadAsync(timeout.Token);
        return message.Assignment ?? throw new InvalidOperationException($"expected an assignment, got {message.KindCase}");
    }

    /// <summary>The samples in <paramref name="assignment"/>'s shards.</summary>
    public static int Samples(StepAssignment assignment) => assignment.Shards.Sum(s => s.Labels.Length);

    /// <summary>
    /// Answers <paramref name="assignment"/> now, reporting the compute time of a worker of <paramref name="samplesPerSecond"/>
    /// (the coordinator measures speeds itself: <see cref="ScriptedExecutor.AnswerInTime"/> answers at the matching time).
    /// </summary>
    public void Answer(StepAssignment assignment, double samplesPerSecond)
    {
        Connection.Deliver(new ReceivedResult(ZeroGradientResult.For(assignment, _shardCount, (long)(Samples(assignment) / samplesPerSecond * 1e6))));
    }
}
