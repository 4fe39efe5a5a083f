using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Distributed;

/// <summary>
/// Shard shares follow the round trips the coordinator measures, not the compute time a worker reports, and no worker
/// gets more than its bound (twice its fair share by default) however fast it answers.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MeasuredSpeedTests : IAsyncDisposable
{
    private const int Steps = 8;
    private static readonly TimeSpan HonestRoundTrip = TimeSpan.FromMilliseconds(16);

    private readonly ScriptedExecutor _scripted = new(Steps + 1);
    private readonly ScriptedWorker[] _workers;

    public MeasuredSpeedTests()
    {
        _workers = [.. Enumerable.Range(0, 4).Select(i => _scripted.Join($"worker-{i}"))];
    }

    [Fact]
    public async Task AWorkerReportingATinyComputeTimeKeepsItsFairShare()
    {
        var shares = new int[_workers.Length];
        for (var step = 0; step < Steps; step++)
        {
            var assignments = await StartStepAsync(step);
            _scripted.Time.Advance(HonestRoundTrip);
            for (var w = 0; w < _workers.Length; w++)
            {
                _workers[w].Answer(assignments[w], samplesPerSecond: w == 0 ? 1e12 : 2000);
            }
            await _step!;
            shares = [.. assignments.Select(Count)];
        }

        Assert.Equal([2, 2, 2, 2], shares);
    }

    [Fact]
    public async Task AWorkerAnsweringAThousandTimesFasterGetsNoMoreThanItsBound()
    {
        var bound = ShardBalancer.MaxShards(ShortTrainingRun.ShardCount, _workers.Length, _scripted.CoordinatorOptions.MaxShareFactor);
        var liarShares = new List<int>();
        for (var step = 0; step < Steps; step++)
        {
            var assignments = await StartStepAsync(step);
            _scripted.Time.Advance(HonestRoundTrip / 1000);
            _workers[0].Answer(assignments[0], samplesPerSecond: 1e12);
            _scripted.Time.Advance(HonestRoundTrip);
            for (var w = 1; w < _workers.Length; w++)
            {
                _workers[w].Answer(assignments[w], samplesPerSecond: 2000);
            }
            await _step!;
            liarShares.Add(Count(assignments[0]));
        }

        Assert.Equal(4, bound);
        Assert.All(liarShares, share => Assert.InRange(share, 1, bound));
    }

    public ValueTask DisposeAsync() => _scripted.DisposeAsync();

    private Task? _step;

    private async Task<StepAssignment[]> StartStepAsync(int step)
    {
        _step = _scripted.Compute(step);
        var assignments = new StepAssignment[_workers.Length];
        for (var w = 0; w < _workers.Length; w++)
        {
            assignments[w] = await _workers[w].NextAssignmentAsync();
        }
        return assignments;
    }

    private static int Count(StepAssignment assignment) => assignment.ShardEnd - assignment.ShardStart;
}
