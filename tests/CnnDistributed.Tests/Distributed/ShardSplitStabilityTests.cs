using CnnDistributed.Coordinator.Cluster;
using CnnDistributed.Core.Model;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CnnDistributed.Tests.Distributed;

/// <summary>
/// The executor moves shards between workers for a lasting change of speed, not for one slow step: workers that share
/// cores report compute times that swing from step to step, and a split that follows them makes every other step slower.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ShardSplitStabilityTests : IAsyncDisposable
{
    private const double Speed = 1000;

    private readonly CoordinatorOptions _options = new() { ShardCount = ShortTrainingRun.ShardCount };
    private readonly WorkerRegistry _registry;
    private readonly DistributedStepExecutor _executor;
    private readonly IReadOnlyList<Core.Training.StepWork> _steps = ShortTrainingRun.Steps(12);
    private readonly float[] _parameters = new float[ModelShape.ParameterCount];
    private readonly float[] _gradientSum = new float[ModelShape.ParameterCount];
    private readonly ScriptedWorker _first;
    private readonly ScriptedWorker _second;

    public ShardSplitStabilityTests()
    {
        _registry = new WorkerRegistry(Options.Create(_options), NullLogger<WorkerRegistry>.Instance);
        _executor = new DistributedStepExecutor(_registry, Options.Create(_options), new FakeTimeProvider(), NullLogger<DistributedStepExecutor>.Instance);
        _first = ScriptedWorker.Join(_registry, "first");
        _second = ScriptedWorker.Join(_registry, "second");
    }

    [Fact]
    public async Task OneStepTenTimesSlowerMovesNoShard()
    {
        await StepAsync(0, secondSpeed: Speed);
        await StepAsync(1, secondSpeed: Speed / 10);

        var (first, second) = await StepAsync(2, secondSpeed: Speed);

        Assert.Equal((4, 4), (first, second));
    }

    [Fact]
    public async Task LastingSlowdownMovesShardsToTheFasterWorker()
    {
        var splits = new List<(int First, int Second)>();
        for (var step = 0; step < _steps.Count; step++)
        {
            splits.Add(await StepAsync(step, secondSpeed: step == 0 ? Speed : Speed / 3));
        }

        Assert.Equal((4, 4), splits[1]);
        Assert.True(splits[^1].First > splits[^1].Second, $"splits: {string.Join(" ", splits)}");
    }

    public async ValueTask DisposeAsync() => await _executor.DisposeAsync();

    /// <summary>Runs step <paramref name="index"/>, the first worker answering at <see cref="Speed"/>; returns how many shards each got.</summary>
    private async Task<(int First, int Second)> StepAsync(int index, double secondSpeed)
    {
        var step = _executor.ComputeAsync(_steps[index], _parameters, _gradientSum, CancellationToken.None).AsTask();
        var first = await _first.NextAssignmentAsync();
        var second = await _second.NextAssignmentAsync();
        _first.Answer(first, Speed);
        _second.Answer(second, secondSpeed);
        await step;
        return (Count(first), Count(second));
    }

    private static int Count(StepAssignment assignment) => assignment.ShardEnd - assignment.ShardStart;
}
