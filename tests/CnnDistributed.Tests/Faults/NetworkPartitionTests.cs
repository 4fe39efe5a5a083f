using CnnDistributed.Coordinator.Cluster;
using CnnDistributed.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CnnDistributed.Tests.Faults;

/// <summary>
/// A worker process in its own network namespace is cut off mid-run by taking its veth down: the coordinator, with
/// its default options, drops it and recomputes its shards on the other worker in the same step; when the link comes
/// back the worker rejoins by itself and takes shards again. The weights equal an undisturbed run's.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NetworkPartitionTests(ITestOutputHelper output)
{
    private const string PartitionedName = "partitioned";
    private const int PartitionAfterStep = 1;
    private const int HealAfterStep = 3;
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(15);

    [NetworkNamespaceFact]
    public async Task PartitionedWorkerIsReplacedInTheSameStepAndRejoinsAfterTheLinkHeals()
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        using var network = NetworkNamespace.Create();
        await using var cluster = await ClusterHarness.StartAsync(new CoordinatorOptions { ShardCount = ShortTrainingRun.ShardCount }, "http://0.0.0.0:0");
        cluster.StartInProcessWorkers(1);
        var partitioned = cluster.StartWorkerProcess(PartitionedName, network: network);
        await cluster.WaitForWorkersAsync(2);
        var partitionedAt = 0L;
        ShardReassignment? reassignment = null;

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == PartitionAfterStep)
            {
                network.Partition();
                partitionedAt = TimeProvider.System.GetTimestamp();
            }
            else if (step == PartitionAfterStep + 1)
            {
                reassignment = cluster.Coordinator.Executor.LastReassignment;
            }
            else if (step == HealAfterStep)
            {
                await WaitUntilAsync(() => partitioned.StandardOutput.Contains("lost coordinator", StringComparison.Ordinal), "the worker to notice the partition");
                network.Heal();
                var healedAt = TimeProvider.System.GetTimestamp();
                await cluster.Coordinator.WaitForWorkersAsync(2, RejoinTimeout);
                output.WriteLine($"rejoined {TimeProvider.System.GetElapsedTime(healedAt).TotalMilliseconds:0} ms after the link came back up");
            }
        });

        Assert.Equal(expected, actual);
        var detected = cluster.Logs.Lines.First(line => line.Contains($"Dropped worker {PartitionedName} (w", StringComparison.Ordinal)
            || line.Contains($"Lost worker {PartitionedName} (w", StringComparison.Ordinal));
        output.WriteLine(detected);
        Assert.NotNull(reassignment);
        Assert.Equal(PartitionAfterStep + 1, reassignment.Step);
        var detection = TimeProvider.System.GetElapsedTime(partitionedAt, reassignment.ReassignedAt);
        output.WriteLine($"shards of the partitioned worker reassigned {detection.TotalMilliseconds:0} ms after its link went down");
        Assert.InRange(detection, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.NotEmpty(cluster.LogLinesWith($"Step {HealAfterStep + 1}:", $"{PartitionedName} (w", "shards"));
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
