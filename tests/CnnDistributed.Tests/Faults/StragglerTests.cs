using System.Text.RegularExpressions;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Faults;

/// <summary>A persistently slow worker is balanced down to fewer shards by its measured speed, not dropped.</summary>
[Trait("Category", "Integration")]
public sealed class StragglerTests
{
    [Fact]
    public async Task PersistentlySlowWorkerGetsFewerShardsAndTheWeightsAreUnchanged()
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync(ClusterHarness.FaultTestOptions);
        cluster.StartInProcessWorkers(2, backendFor: i => new DelayingBackendFactory(1) { Delay = i == 1 ? TimeSpan.FromMilliseconds(150) : TimeSpan.Zero });
        await cluster.WaitForWorkersAsync(2);

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps);

        Assert.Equal(expected, actual);
        var layout = cluster.LogLinesWith("Step ", "local-1 (", "measured speed").Last();
        var fast = ShardsOf(layout, "local-1");
        var slow = ShardsOf(layout, "local-2");
        Assert.True(slow < fast, $"the slow worker should get fewer shards: {layout}");
        Assert.Empty(cluster.LogLinesWith("Dropped worker"));
    }

    private static int ShardsOf(string layout, string worker)
    {
        var match = Regex.Match(layout, Regex.Escape(worker) + @" \([0-9a-f]{8}\) (\d+) shards");
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
