using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Distributed;

/// <summary>
/// The executor moves shards between workers for a lasting change of speed, not for one slow step: workers that share
/// cores report compute times that swing from step to step, and a split that follows them makes every other step slower.
/// A worker the split left out is measured again, so one slow step cannot keep it idle for the rest of the run.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ShardSplitStabilityTests : IAsyncDisposable
{
    private const double Speed = 1000;

    private readonly ScriptedExecutor _scripted = new(56);
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

    [Fact]
    public async Task AWorkerLeftOutAfterASlowFirstStepIsMeasuredAgainAndGetsItsShareBack()
    {
        var splits = new List<(int First, int Second)>();
        for (var step = 0; step < _scripted.StepCount; step++)
        {
            splits.Add(await StepAsync(step, secondSpeed: step == 0 ? Speed / 50 : Speed));
        }

        var probe = WorkerConnection.RemeasureAfterSteps + 1;
        Assert.All(splits[1..probe], split => Assert.Equal((8, 0), split));
        Assert.All(splits[probe..], split => Assert.Equal((4, 4), split));
    }

    [Fact]
    public async Task AWorkerThatStaysSlowIsMeasuredAgainAtDoublingIntervals()
    {
        var measuredAt = new List<int>();
        for (var step = 0; step < _scripted.StepCount; step++)
        {
            if ((await StepAsync(step, secondSpeed: Speed / 50)).Second > 0)
            {
                measuredAt.Add(step);
            }
        }

        var first = WorkerConnection.RemeasureAfterSteps + 1;
        Assert.Equal([0, first, first + (2 * WorkerConnection.RemeasureAfterSteps) + 1], measuredAt);
    }

    public ValueTask DisposeAsync() => _scripted.DisposeAsync();

    /// <summary>
    /// Runs step <paramref name="index"/>, the first worker answering at <see cref="Speed"/>; returns how many shards each
    /// got (0: left out).
    /// </summary>
    private async Task<(int First, int Second)> StepAsync(int index, double secondSpeed)
    {
        var assignedBefore = (_first.Connection.LastAssignedStep, _second.Connection.LastAssignedStep);
        var step = _scripted.Compute(index);
        var first = await NextAssignmentAsync(_first, assignedBefore.Item1);
        var second = await NextAssignmentAsync(_second, assignedBefore.Item2);
        _scripted.AnswerInTime([.. new[] { (_first, first, Speed), (_second, second, secondSpeed) }
            .Where(a => a.Item2 is not null)
            .Select(a => (a.Item1, a.Item2!, a.Item3))]);
        await step;
        return (Count(first), Count(second));
    }

    /// <summary>The worker's assignment of the step just started, or null when the split left it out.</summary>
    private static async Task<StepAssignment?> NextAssignmentAsync(ScriptedWorker worker, long assignedBefore) =>
        worker.Connection.LastAssignedStep == assignedBefore ? null : await worker.NextAssignmentAsync();

    private static int Count(StepAssignment? assignment) =>
        assignment is null ? 0 : assignment.ShardEnd - assignment.ShardStart;
}
