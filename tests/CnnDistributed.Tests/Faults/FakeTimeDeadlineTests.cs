using CnnDistributed.Coordinator.Cluster;
using CnnDistributed.Core.Model;
using CnnDistributed.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    /// <summary>Samples per second the scripted workers report: step 1 gives each 32 samples, so a 4 s deadline (4 × 1 s).</summary>
    private const double MeasuredSpeed = 32;
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly CoordinatorOptions _options = new() { ShardCount = ShortTrainingRun.ShardCount };
    private readonly FakeTimeProvider _time = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly WorkerRegistry _registry;
    private readonly DistributedStepExecutor _executor;
    private readonly IReadOnlyList<Core.Training.StepWork> _steps = ShortTrainingRun.Steps(3);
    private readonly float[] _parameters = new float[ModelShape.ParameterCount];
    private readonly float[] _gradientSum = new float[ModelShape.ParameterCount];

    public FakeTimeDeadlineTests()
    {
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        _registry = new WorkerRegistry(Options.Create(_options), _loggerFactory.CreateLogger<WorkerRegistry>());
        _executor = new DistributedStepExecutor(_registry, Options.Create(_options), _time, _loggerFactory.CreateLogger<DistributedStepExecutor>());
    }

    [Fact]
    public async Task SilentMeasuredWorkerIsDroppedExactlyAtItsSpeedDerivedDeadlineAndItsShardsGoToTheOtherWorker()
    {
        var (steady, silent) = await TwoMeasuredWorkersAsync();
        var sentAt = _time.GetTimestamp();
        var step = Compute(1);
        steady.Answer(await steady.NextAssignmentAsync(), MeasuredSpeed);
        var unanswered = await silent.NextAssignmentAsync();
        var deadline = ResultDeadline.For(_options, silent.Connection.SamplesPerSecond, ScriptedWorker.Samples(unanswered));
        Assert.Equal(4, deadline.TotalSeconds, 6);
        await AdvanceAndSettleAsync(deadline - Tick);
        Assert.False(step.IsCompleted);
        Assert.Equal(WorkerState.Connected, silent.Connection.State);

        _time.Advance(Tick);
        var reassigned = await steady.NextAssignmentAsync();
        Assert.Equal((unanswered.ShardStart, unanswered.ShardEnd), (reassigned.ShardStart, reassigned.ShardEnd));
        steady.Answer(reassigned, MeasuredSpeed);
        await step;

        Assert.Equal(WorkerState.Closed, silent.Connection.State);
        Assert.Single(_logs.Lines, line => line.Contains($"Dropped worker silent ({silent.Connection.Id}): step 1", StringComparison.Ordinal)
            && line.Contains("no result for step 1 within its deadline of 4 s", StringComparison.Ordinal));
        var reassignment = Assert.IsType<ShardReassignment>(_executor.LastReassignment);
        Assert.Equal(1, reassignment.Step);
        Assert.Equal(deadline, _time.GetElapsedTime(sentAt, reassignment.DetectedAt));
    }

    [Fact]
    public async Task WorkerAnsweringOneTickBeforeItsDeadlineIsKept()
    {
        var (steady, slow) = await TwoMeasuredWorkersAsync();
        var step = Compute(1);
        steady.Answer(await steady.NextAssignmentAsync(), MeasuredSpeed);
        var assignment = await slow.NextAssignmentAsync();
        await AdvanceAndSettleAsync(ResultDeadline.For(_options, slow.Connection.SamplesPerSecond, ScriptedWorker.Samples(assignment)) - Tick);

        slow.Answer(assignment, MeasuredSpeed);
        await step;

        Assert.Equal(WorkerState.Connected, slow.Connection.State);
        Assert.Null(_executor.LastReassignment);
    }

    [Fact]
    public async Task SilentUnmeasuredWorkerIsDroppedExactlyAtTheStepTimeout()
    {
        var steady = ScriptedWorker.Join(_registry, "steady");
        var silent = ScriptedWorker.Join(_registry, "silent");
        var sentAt = _time.GetTimestamp();
        var step = Compute(0);
        steady.Answer(await steady.NextAssignmentAsync(), MeasuredSpeed);
        await silent.NextAssignmentAsync();
        await AdvanceAndSettleAsync(_options.StepTimeout - Tick);
        Assert.False(step.IsCompleted);

        _time.Advance(Tick);
        steady.Answer(await steady.NextAssignmentAsync(), MeasuredSpeed);
        await step;

        Assert.Equal(WorkerState.Closed, silent.Connection.State);
        Assert.Equal(_options.StepTimeout, _time.GetElapsedTime(sentAt, _executor.LastReassignment!.DetectedAt));
    }

    [Fact]
    public async Task StepWithNoWorkersFailsExactlyWhenTheWorkerWaitTimeoutPasses()
    {
        var step = Compute(0);
        await AdvanceAndSettleAsync(_options.WorkerWaitTimeout - Tick);
        Assert.False(step.IsCompleted);

        _time.Advance(Tick);

        var failure = await Assert.ThrowsAsync<DistributedStepException>(() => step);
        Assert.Contains("no workers joined within 120 s", failure.Message);
    }

    public async ValueTask DisposeAsync()
    {
        await _executor.DisposeAsync();
        _loggerFactory.Dispose();
    }

    /// <summary>Step 0 answered by two workers at <see cref="MeasuredSpeed"/>, so both have a measured speed for step 1.</summary>
    private async Task<(ScriptedWorker First, ScriptedWorker Second)> TwoMeasuredWorkersAsync()
    {
        var first = ScriptedWorker.Join(_registry, "steady");
        var second = ScriptedWorker.Join(_registry, "silent");
        var step = Compute(0);
        first.Answer(await first.NextAssignmentAsync(), MeasuredSpeed);
        second.Answer(await second.NextAssignmentAsync(), MeasuredSpeed);
        await step;
        Assert.Equal(MeasuredSpeed, second.Connection.SamplesPerSecond, 6);
        return (first, second);
    }

    /// <summary>
    /// Starts step <paramref name="index"/>. The executor arms every deadline before its first wait, so when this
    /// returns the deadlines count from the current fake time.
    /// </summary>
    private Task Compute(int index) => _executor.ComputeAsync(_steps[index], _parameters, _gradientSum, CancellationToken.None).AsTask();

    /// <summary>Advances fake time, then gives anything that wrongly fired a moment of real time to show its effect.</summary>
    private async Task AdvanceAndSettleAsync(TimeSpan by)
    {
        _time.Advance(by);
        await Task.Delay(100);
    }
}
