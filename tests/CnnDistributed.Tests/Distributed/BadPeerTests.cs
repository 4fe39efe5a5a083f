using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;
using Grpc.Core;

namespace CnnDistributed.Tests.Distributed;

/// <summary>
/// A peer that registers and then sends a bad result is refused with a logged reason naming it and the fault, dropped,
/// and its shards recomputed by the honest workers: the job's weights equal an undisturbed run's.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BadPeerTests
{
    [Fact]
    public Task GradientOfWrongLengthIsRefusedAndTheHonestWorkersFinishTheJob() =>
        AssertRefusedAndRecovered(PeerMisbehaviour.GradientOfWrongLength, "has 138484 bytes, expected 138488");

    [Fact]
    public Task NaNInGradientIsRefusedAndTheHonestWorkersFinishTheJob() =>
        AssertRefusedAndRecovered(PeerMisbehaviour.NaNInGradient, "holds NaN at parameter 123");

    [Fact]
    public Task InfinityInGradientIsRefusedAndTheHonestWorkersFinishTheJob() =>
        AssertRefusedAndRecovered(PeerMisbehaviour.InfinityInGradient, "at parameter 7");

    [Fact]
    public Task FiniteGradientTooLargeForTheModelIsRefusedAndTheHonestWorkersFinishTheJob() =>
        AssertRefusedAndRecovered(PeerMisbehaviour.HugeFiniteGradient, "has L2 norm 1E+09, above its bound");

    [Fact]
    public Task ResultForUnknownStepIsRefusedAndTheHonestWorkersFinishTheJob() =>
        AssertRefusedAndRecovered(PeerMisbehaviour.UnknownStepId, "result for unknown step 1000");

    [Fact]
    public Task WrongTreeNodeIsRefusedAndTheHonestWorkersFinishTheJob() =>
        AssertRefusedAndRecovered(PeerMisbehaviour.WrongTreeNode, "do not match the cover");

    [Fact]
    public Task TruncatedMessageIsRefusedAndTheHonestWorkersFinishTheJob() =>
        AssertRefusedAndRecovered(PeerMisbehaviour.TruncatedMessage, "malformed message");

    [Fact]
    public async Task WrongProtocolVersionIsRefusedAtRegistrationAndTheJobIsUndisturbed()
    {
        var steps = ShortTrainingRun.Steps(4);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync();
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        using var peer = new MisbehavingWorker(cluster.OpenChannel());

        var reply = await peer.RegisterAsync(cluster.Coordinator.Workers.Connected[0].DeviceKind, protocolVersion: 99);
        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps);

        Assert.Equal(RegisterReply.OutcomeOneofCase.Refused, reply.OutcomeCase);
        Assert.Contains("protocol version 99 is not supported", reply.Refused.Reason);
        Assert.Equal((uint)ProtocolVersion.Current, reply.Refused.SupportedProtocolVersion);
        Assert.Single(cluster.LogLinesWith("Refused worker", MisbehavingWorker.Name, "protocol version 99"));
        Assert.Equal(expected, actual);
    }

    private static async Task AssertRefusedAndRecovered(PeerMisbehaviour misbehaviour, string expectedReason)
    {
        var steps = ShortTrainingRun.Steps(4);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync();
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        using var peer = new MisbehavingWorker(cluster.OpenChannel());
        var reply = await peer.RegisterAsync(cluster.Coordinator.Workers.Connected[0].DeviceKind);
        var misbehaving = peer.MisbehaveAsync(reply.Accepted, misbehaviour);
        await cluster.WaitForWorkersAsync(3);

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps);
        var status = await misbehaving.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(expected, actual);
        // A protocol fault drops the peer at its first result; a fault in the values after three in a row.
        Assert.Single(cluster.LogLinesWith("Dropped worker", MisbehavingWorker.Name, expectedReason));
        Assert.Contains("step 0", cluster.LogLinesWith(MisbehavingWorker.Name, expectedReason).First(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(StatusCode.Aborted, status.StatusCode);
        Assert.Contains(expectedReason, status.Detail);
        Assert.Equal(2, cluster.Coordinator.Executor.Workers);
    }
}
