using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Distributed;

/// <summary>CONTRACT §5 across the wire: training on 1, 2 or 3 gRPC workers gives the in-process executor's weights bit for bit.</summary>
[Trait("Category", "Integration")]
public sealed class DistributedBitwiseEqualityTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TrainingOnInProcessWorkersGivesTheLocalWeightsSha256(int workers)
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);

        await using var cluster = await ClusterHarness.StartAsync();
        var running = cluster.StartInProcessWorkers(workers);
        await cluster.WaitForWorkersAsync(workers);
        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps);

        Assert.Equal(expected, actual);
        Assert.Equal(workers, cluster.Coordinator.Executor.Workers);
        await cluster.Coordinator.Executor.DisposeAsync();
        var exits = await running.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(exits, exit => Assert.Equal(0, exit.Code));
    }

    [Fact]
    public async Task WeightsAreSentOnlyWhenTheirVersionChanged()
    {
        var steps = ShortTrainingRun.Steps(2);
        await using var cluster = await ClusterHarness.StartAsync();
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        var executor = cluster.Coordinator.Executor;
        var parameters = Core.Model.WeightInitializer.Create(1);
        var sum = new float[Core.Model.ModelShape.ParameterCount];

        await executor.ComputeAsync(steps[0], parameters, sum, CancellationToken.None);
        var withWeights = executor.LastStep.BytesSent;
        await executor.ComputeAsync(steps[0], parameters, sum, CancellationToken.None);
        var withoutWeights = executor.LastStep.BytesSent;

        Assert.True(withWeights - withoutWeights >= 2 * Core.Model.ModelShape.ParameterCount * sizeof(float),
            $"first step sent {withWeights} bytes, the repeat with unchanged weights {withoutWeights}");
    }
}
