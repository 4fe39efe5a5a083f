using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Faults;

/// <summary>Workers join and leave at any step, down to none for a while; the weights equal an undisturbed run's.</summary>
[Trait("Category", "Integration")]
public sealed class ElasticMembershipTests
{
    [Fact]
    public async Task WorkerStartedMidRunGetsTheCurrentWeightsAndTakesShards()
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync(ClusterHarness.FaultTestOptions);
        cluster.StartInProcessWorkers(1);
        await cluster.WaitForWorkersAsync(1);

        var joined = "";
        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == 2)
            {
                cluster.StartInProcessWorkers(1);
                await cluster.WaitForWorkersAsync(2);
                joined = cluster.Coordinator.Workers.Connected[^1].ToString();
            }
        });

        Assert.Equal(expected, actual);
        Assert.Equal(2, cluster.Coordinator.Executor.Workers);
        Assert.NotEmpty(cluster.LogLinesWith("Step 3:", joined, "shards"));
    }

    [Fact]
    public async Task AllWorkersLostAndOneReturningFinishesTheJob()
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync(ClusterHarness.FaultTestOptions);
        var first = cluster.StartWorkerProcess("first");
        await cluster.WaitForWorkersAsync(1);

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == 2)
            {
                first.Kill();
                while (cluster.Coordinator.Workers.Connected.Count > 0)
                {
                    await Task.Delay(20);
                }
                cluster.StartWorkerProcess("returning");
            }
        });

        Assert.Equal(expected, actual);
        Assert.Single(cluster.LogLinesWith("Step 3: no workers left; waiting up to 30 s"));
        Assert.NotEmpty(cluster.LogLinesWith("Step 3:", "returning ("));
    }
}
