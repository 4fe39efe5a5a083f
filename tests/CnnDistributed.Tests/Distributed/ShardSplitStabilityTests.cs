using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Distributed;

/// <summary>
/// The executor moves shards between workers for a lasting change of speed, not for one slow step: workers that share
/// cores report compute times that swing from step to step, and a split that follows them makes every other step slower.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ShardSplitStabilityTests : IAsyncDisposable
{
    private const double Speed = 1000;

    private readonly ScriptedExecutor _scripted = new(12);
    private readonly ScriptedWorker _first;
    private readonly ScriptedWorker _second;

    public ShardSplitStabilityTests()
    {
        _first = _scripted.Join("first");
        _second = _scripted.Join("second");
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
        for (var step = 0; step < _scripted.StepCount; step++)
        {
            splits.Add(await StepAsync(step, secondSpeed: step == 0 ? Speed : Speed / 3));
        }

        Assert.Equal((4, 4), splits[1]);
        Assert.True(splits[^1].First > splits[^1].Second, $"splits: {string.Join(" ", splits)}");
    }

    public ValueTask DisposeAsync() => _scripted.DisposeAsync();

    /// <summary>Runs step <paramref name="index"/>, the first worker answering at <see cref="Speed"/>; returns how many shards each got.</summary>
    private async Task<(int First, int Second)> StepAsync(int index, double secondSpeed)
    {
        var step = _scripted.Compute(index);
        var first = await _first.NextAssignmentAsync();
        var second = await _second.NextAssignmentAsync();
        _scripted.AnswerInTime((_first, first, Speed), (_second, second, secondSpeed));
        await step;
        return (Count(first), Count(second));
    }

    private static int Count(StepAssignment assignment) => assignment.ShardEnd - assignment.ShardStart;
}
