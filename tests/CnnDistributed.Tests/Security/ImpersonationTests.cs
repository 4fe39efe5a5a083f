using CnnDistributed.Tests.Infrastructure;
using Grpc.Core;

namespace CnnDistributed.Tests.Security;

/// <summary>
/// A peer with a valid worker certificate that opens a work stream under a live worker's id, to slip in a poisoned
/// result, is refused with <c>PermissionDenied</c> and one log line, whether or not it registered itself first: the
/// id is bound to the connection that registered it. The victim stays in the job and the weights equal an undisturbed
/// run's.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ImpersonationTests
{
    [Fact]
    public Task UnregisteredPeerUsingALiveWorkersIdIsRefusedAndTheRunGoesOn() =>
        AssertImpersonationRefused(registerFirst: false);

    [Fact]
    public Task RegisteredPeerUsingAnotherLiveWorkersIdIsRefusedAndTheRunGoesOn() =>
        AssertImpersonationRefused(registerFirst: true);

    private static async Task AssertImpersonationRefused(bool registerFirst)
    {
        var steps = ShortTrainingRun.Steps(4);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync();
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        var victim = cluster.Coordinator.Workers.Connected[1];
        using var attacker = new MisbehavingWorker(cluster.OpenChannel(cluster.WorkerCredentials));
        Status? status = null;

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == 1)
            {
                if (registerFirst)
                {
                    Assert.NotNull((await attacker.RegisterAsync(victim.DeviceKind)).Accepted);
                }
                status = await attacker.ImpersonateAsync(victim.Id, ShortTrainingRun.ShardCount);
            }
        });

        Assert.Equal(expected, actual);
        Assert.Equal(StatusCode.PermissionDenied, status?.StatusCode);
        Assert.Equal($"the id of worker {victim} was issued to another connection", status?.Detail);
        var refusal = Assert.Single(cluster.LogLinesWith("Refused a work stream from "));
        Assert.EndsWith($"(certificate worker): the id of worker {victim} was issued to another connection", refusal);
        Assert.Equal(["local-1", "local-2"], cluster.Coordinator.Workers.Connected.Select(w => w.Name).Order());
        Assert.Contains(victim, cluster.Coordinator.Workers.Connected);
        Assert.Empty(cluster.LogLinesWith("Dropped worker"));
        Assert.Empty(cluster.LogLinesWith("Lost worker"));
    }
}
