using CnnDistributed.Coordinator.Dashboard;
using CnnDistributed.Core.Training;
using Microsoft.Extensions.Time.Testing;

namespace CnnDistributed.Tests.Dashboard;

[Trait("Category", "Unit")]
public sealed class RunMonitorTests
{
    private static readonly RunDescription Run = new("run-1", new Dictionary<string, object?>(), 7, 3, 64, 8);

    [Fact]
    public void AStepIsSampledIntoOneCurvePointAndOneProgressEvent()
    {
        var time = new FakeTimeProvider();
        using var monitor = new RunMonitor(Run, new RunEventLog(time), time);
        monitor.Started("cpu", 300, null);

        monitor.OnStep(Progress(10));
        time.Advance(RunMonitor.SampleInterval);
        time.Advance(RunMonitor.SampleInterval);

        var state = monitor.Snapshot();
        var point = Assert.Single(state.Points);
        Assert.Equal(10, point.Step);
        Assert.Equal(RunMonitor.SampleInterval.TotalSeconds, point.ElapsedSeconds, 9);
        Assert.Single(state.RecentEvents, e => e.Type == "progress");
        Assert.Equal(300, state.TotalSteps);
        Assert.Equal(7UL, state.Seed);
    }

    [Fact]
    public void CurvePointsStayBoundedOnALongRun()
    {
        var time = new FakeTimeProvider();
        using var monitor = new RunMonitor(Run, new RunEventLog(time), time);

        for (var step = 1; step <= 3 * RunMonitor.MaxPoints; step++)
        {
            monitor.OnStep(Progress(step));
            time.Advance(RunMonitor.SampleInterval);
        }

        var points = monitor.Snapshot().Points;
        Assert.InRange(points.Count, RunMonitor.MaxPoints / 2, RunMonitor.MaxPoints);
        Assert.True(points.Zip(points.Skip(1)).All(p => p.First.Step < p.Second.Step));
        Assert.InRange(points[^1].Step, 3 * RunMonitor.MaxPoints - 4, 3 * RunMonitor.MaxPoints);
    }

    [Fact]
    public void AnEpochIsInTheStateAndItsEventAtOnceWithoutWaitingForASample()
    {
        var time = new FakeTimeProvider();
        using var monitor = new RunMonitor(Run, new RunEventLog(time), time);

        monitor.OnEpoch(Epoch(1));

        var state = monitor.Snapshot();
        Assert.Equal(1, Assert.Single(state.EpochMetrics).Metrics.Epoch);
        Assert.Equal("epoch", Assert.Single(state.RecentEvents).Type);
        Assert.Equal(state.RecentEvents[0].Id, state.LastEventId);
    }

    [Fact]
    public void AFinishedRunHasNoEtaAndItsEndIsTheLastEvent()
    {
        var time = new FakeTimeProvider();
        using var monitor = new RunMonitor(Run, new RunEventLog(time), time);
        monitor.Started("cpu", 100, null);
        monitor.OnStep(Progress(50));
        time.Advance(RunMonitor.SampleInterval);
        Assert.NotNull(monitor.Snapshot().EtaSeconds);

        monitor.Finish("finished", new { weights_sha256 = "ab" });

        var state = monitor.Snapshot();
        Assert.Equal("finished", state.Status);
        Assert.Null(state.EtaSeconds);
        Assert.Equal("finished", state.RecentEvents[^1].Type);
    }

    private static StepProgress Progress(long step) => new(1, 3, step, 300, 1.0 / step, 0.5, 1000, step * 0.01);

    private static EpochMetrics Epoch(int epoch) => new()
    {
        Epoch = epoch,
        Step = 100L * epoch,
        TrainLoss = 0.5,
        TrainAccuracy = 0.8,
        TestLoss = 0.4,
        TestAccuracy = 0.85,
        SamplesPerSecond = 1000,
        ElapsedSeconds = epoch,
        Workers = 2,
    };
}
