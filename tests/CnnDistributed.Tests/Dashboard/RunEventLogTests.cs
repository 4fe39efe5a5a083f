using CnnDistributed.Coordinator.Dashboard;
using Microsoft.Extensions.Time.Testing;

namespace CnnDistributed.Tests.Dashboard;

[Trait("Category", "Unit")]
public sealed class RunEventLogTests
{
    [Fact]
    public void IdsIncreaseByOneAndAfterReturnsOnlyLaterEventsInOrder()
    {
        var log = new RunEventLog(new FakeTimeProvider());
        for (var i = 0; i < 5; i++)
        {
            log.Append("progress", new { i });
        }

        Assert.Equal([3L, 4L, 5L], log.After(2).Select(e => e.Id));
        Assert.Equal(5, log.LastId);
        Assert.Empty(log.After(5));
    }

    [Fact]
    public void EventsCarryTheElapsedTimeOfTheLogsClock()
    {
        var time = new FakeTimeProvider();
        var log = new RunEventLog(time);
        time.Advance(TimeSpan.FromSeconds(2.5));

        var appended = log.Append("worker_lost", new { name = "w1" });

        Assert.Equal(2.5, appended.ElapsedSeconds, 9);
        Assert.Equal("w1", appended.Data["name"]!.GetValue<string>());
    }

    [Fact]
    public void OnlyTheNewestCapacityEventsAreKept()
    {
        var log = new RunEventLog(new FakeTimeProvider());
        for (var i = 0; i < RunEventLog.Capacity + 10; i++)
        {
            log.Append("progress", new { i });
        }

        var kept = log.After(0);

        Assert.Equal(RunEventLog.Capacity, kept.Count);
        Assert.Equal(11, kept[0].Id);
        Assert.Equal(RunEventLog.Capacity + 10, kept[^1].Id);
    }

    [Fact]
    public async Task AWaitForANewerEventEndsWhenOneIsAppended()
    {
        var log = new RunEventLog(new FakeTimeProvider());
        log.Append("started", new { });
        var waiting = log.WaitAfterAsync(1, CancellationToken.None);

        Assert.False(waiting.IsCompleted);
        Assert.True(log.WaitAfterAsync(0, CancellationToken.None).IsCompleted);
        log.Append("epoch", new { });
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
