using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Faults;

/// <summary>
/// A worker that stops answering while its connection stays open is dropped when its speed-derived deadline passes,
/// and its shards are recomputed by the others in the same step: the weights equal an undisturbed run's.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HungWorkerTests
{
    [Fact]
    public async Task HungWorkerIsDroppedAtItsDeadlineAndItsShardsAreRecomputedInTheSameStep()
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync(ClusterHarness.FaultTestOptions);
        var hanging = new DelayingBackendFactory(1) { StallFromCall = 3 };
        cluster.StartInProcessWorkers(2, backendFor: i => i == 0 ? hanging : new DelayingBackendFactory(1));
        await cluster.WaitForWorkersAsync(2);
        try
        {
            var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps);

            Assert.Equal(expected, actual);
            var drop = Assert.Single(cluster.LogLinesWith("Dropped worker local-1", "no result for step 2 within its deadline of 2 s"));
            Assert.Contains("shards", drop);
            var reassignment = cluster.Coordinator.Executor.LastReassignment;
            Assert.NotNull(reassignment);
            Assert.Equal(2, reassignment.Step);
            var detection = TimeProvider.System.GetElapsedTime(hanging.StalledAt!.Value, reassignment.ReassignedAt);
            Assert.InRange(detection, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        }
        finally
        {
            hanging.Release();
        }
    }
}
