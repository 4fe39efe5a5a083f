using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CnnDistributed.Tests.Faults;

/// <summary>
/// A worker process in its own network namespace is cut off mid-run by taking its veth down: the coordinator, with
/// its default options, drops it, either when its stream's keep-alive fails or at its result deadline (then its shards
/// are recomputed by the other worker in the same step), whichever comes first; when the link comes back the worker
/// rejoins by itself and takes shards again. The weights equal an undisturbed run's.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NetworkPartitionTests(ITestOutputHelper output)
{
    private const string PartitionedName = "partitioned";
    private const int PartitionAfterStep = 1;
    private const int HealAfterStep = 3;
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(15);

    [NetworkNamespaceFact]
    public async Task PartitionedWorkerIsDroppedWithinSecondsAndRejoinsAfterTheLinkHeals()
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        using var network = NetworkNamespace.Create();
        await using var cluster = await ClusterHarness.StartAsync(insecure: true, allInterfaces: true);
        cluster.StartInProcessWorkers(1);
        var partitioned = cluster.StartWorkerProcess(PartitionedName, network: network);
        await cluster.WaitForWorkersAsync(2);
        Task<TimeSpan>? detection = null;

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == PartitionAfterStep)
            {
                network.Partition();
                detection = TimeUntilDroppedAsync(cluster.Coordinator.Workers);
            }
            else if (step == HealAfterStep && detection is not null)
            {
                await detection;
                await WaitUntilAsync(() => partitioned.StandardOutput.Contains("lost coordinator", StringComparison.Ordinal), "the worker to notice the partition");
                network.Heal();
                var healedAt = TimeProvider.System.GetTimestamp();
                await cluster.Coordinator.WaitForWorkersAsync(2, RejoinTimeout);
                output.WriteLine($"rejoined {TimeProvider.System.GetElapsedTime(healedAt).TotalMilliseconds:0} ms after the link came back up");
            }
        });

        Assert.Equal(expected, actual);
        var detected = cluster.Logs.Lines.First(line => line.Contains($"Dropped worker {PartitionedName} (", StringComparison.Ordinal)
            || line.Contains($"Lost worker {PartitionedName} (", StringComparison.Ordinal));
        output.WriteLine(detected);
        Assert.NotNull(detection);
        var detectedAfter = await detection;
        output.WriteLine($"partitioned worker dropped {detectedAfter.TotalMilliseconds:0} ms after its link went down");
        Assert.InRange(detectedAfter, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.NotEmpty(cluster.LogLinesWith($"Step {HealAfterStep + 1}:", $"{PartitionedName} (", "shards"));
    }

    /// <summary>Time from now until the partitioned worker is no longer connected.</summary>
    private static async Task<TimeSpan> TimeUntilDroppedAsync(WorkerRegistry workers)
    {
        var start = TimeProvider.System.GetTimestamp();
        await WaitUntilAsync(() => workers.Connected.All(w => w.Name != PartitionedName), "the coordinator to drop the partitioned worker");
        return TimeProvider.System.GetElapsedTime(start);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(RejoinTimeout);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Assert.False(timeout.IsCancellationRequested, $"timed out waiting for {what}");
        }
    }
}
