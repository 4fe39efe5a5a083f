using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CnnDistributed.Tests.Faults;

/// <summary>
/// The executor's deadlines run on its injected <see cref="TimeProvider"/>: driven by a <see cref="FakeTimeProvider"/>
/// and scripted workers, a silent worker is dropped exactly when fake time reaches its deadline, not one tick before,
/// and its shards go to the other worker in the same step.
/// </summary>
[Trait("Category", "Unit")]
public sealed class FakeTimeDeadlineTests : IAsyncDisposable
{
    /// <summary>Samples per second the scripted workers answer at: step 1 gives each 32 samples, so a 4 s deadline (4 × 1 s).</summary>
    private const double MeasuredSpeed = 32;
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly ScriptedExecutor _scripted = new(3);

    [Fact]
    public async Task SilentMeasuredWorkerIsDroppedExactlyAtItsSpeedDerivedDeadlineAndItsShardsGoToTheOtherWorker()
    {
        var (steady, silent) = await TwoMeasuredWorkersAsync();
        var sentAt = _scripted.Time.GetTimestamp();
        var step = Compute(1);
        steady.Answer(await steady.NextAssignmentAsync(), MeasuredSpeed);
        var unanswered = await silent.NextAssignmentAsync();
        var deadline = ResultDeadline.For(_scripted.CoordinatorOptions, silent.Connection.SamplesPerSecond, ScriptedWorker.Samples(unanswered));
        Assert.Equal(4, deadline.TotalSeconds, 6);
        await AdvanceAndSettleAsync(deadline - Tick);
        Assert.False(step.IsCompleted);
        Assert.Equal(WorkerState.Connected, silent.Connection.State);

        _scripted.Time.Advance(Tick);
        var reassigned = await steady.NextAssignmentAsync();
        Assert.Equal((unanswered.ShardStart, unanswered.ShardEnd), (reassigned.ShardStart, reassigned.ShardEnd));
        steady.Answer(reassigned, MeasuredSpeed);
        await step;

        Assert.Equal(WorkerState.Closed, silent.Connection.State);
        Assert.Single(_scripted.Logs.Lines, line => line.Contains($"Dropped worker {silent.Connection}: step 1", StringComparison.Ordinal)
            && line.Contains("no result for step 1 within its deadline of 4 s", StringComparison.Ordinal));
        var reassignment = Assert.IsType<ShardReassignment>(_scripted.Executor.LastReassignment);
        Assert.Equal(1, reassignment.Step);
        Assert.Equal(deadline, _scripted.Time.GetElapsedTime(sentAt, reassignment.DetectedAt));
    }

    [Fact]
    public async Task WorkerAnsweringOneTickBeforeItsDeadlineIsKept()
    {
        var (steady, slow) = await TwoMeasuredWorkersAsync();
        var step = Compute(1);
        steady.Answer(await steady.NextAssignmentAsync(), MeasuredSpeed);
        var assignment = await slow.NextAssignmentAsync();
        await AdvanceAndSettleAsync(ResultDeadline.For(_scripted.CoordinatorOptions, slow.Connection.SamplesPerSecond, ScriptedWorker.Samples(assignment)) - Tick);

        slow.Answer(assignment, MeasuredSpeed);
        await step;

        Assert.Equal(WorkerState.Connected, slow.Connection.State);
        Assert.Null(_scripted.Executor.LastReassignment);
    }

    [Fact]
    public async Task SilentUnmeasuredWorkerIsDroppedExactlyAtTheStepTimeout()
    {
        var steady = _scripted.Join("steady");
        var silent = _scripted.Join("silent");
        var sentAt = _scripted.Time.GetTimestamp();
        var step = Compute(0);
        steady.Answer(await steady.NextAssignmentAsync(), MeasuredSpeed);
        await silent.NextAssignmentAsync();
        await AdvanceAndSettleAsync(_scripted.CoordinatorOptions.StepTimeout - Tick);
        Assert.False(step.IsCompleted);

        _scripted.Time.Advance(Tick);
        steady.Answer(await steady.NextAssignmentAsync(), MeasuredSpeed);
        await step;

        Assert.Equal(WorkerState.Closed, silent.Connection.State);
        Assert.Equal(_scripted.CoordinatorOptions.StepTimeout, _scripted.Time.GetElapsedTime(sentAt, _scripted.Executor.LastReassignment!.DetectedAt));
    }

    [Fact]
    public async Task StepWithNoWorkersFailsExactlyWhenTheWorkerWaitTimeoutPasses()
    {
        var step = Compute(0);
        await AdvanceAndSettleAsync(_scripted.CoordinatorOptions.WorkerWaitTimeout - Tick);
        Assert.False(step.IsCompleted);

        _scripted.Time.Advance(Tick);

        var failure = await Assert.ThrowsAsync<DistributedStepException>(() => step);
        Assert.Contains("no workers joined within 120 s", failure.Message);
    }

    public ValueTask DisposeAsync() => _scripted.DisposeAsync();

    /// <summary>Step 0 answered by two workers at <see cref="MeasuredSpeed"/>, so both have a measured speed for step 1.</summary>
    private async Task<(ScriptedWorker First, ScriptedWorker Second)> TwoMeasuredWorkersAsync()
    {
        var first = _scripted.Join("steady");
        var second = _scripted.Join("silent");
        var step = Compute(0);
        _scripted.AnswerInTime((first, await first.NextAssignmentAsync(), MeasuredSpeed), (second, await second.NextAssignmentAsync(), MeasuredSpeed));
        await step;
        Assert.Equal(MeasuredSpeed, second.Connection.SamplesPerSecond, 6);
        return (first, second);
    }

    private Task Compute(int index) => _scripted.Compute(index);

    /// <summary>Advances fake time, then gives anything that wrongly fired a moment of real time to show its effect.</summary>
    private async Task AdvanceAndSettleAsync(TimeSpan by)
    {
        _scripted.Time.Advance(by);
        await Task.Delay(100);
    }
}
