using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Tests.Distributed;

/// <summary>Which nodes are spot-checked, and the reference of the relative norm bound.</summary>
[Trait("Category", "Unit")]
public sealed class ResultCheckSelectionTests
{
    [Theory]
    [InlineData(0.01)]
    [InlineData(0.25)]
    public void SpotChecksPickTheRequestedFractionOfNodes(double fraction)
    {
        var picked = 0;
        const int Nodes = 200_000;
        for (var i = 0; i < Nodes; i++)
        {
            picked += SpotCheckSelection.Picks(7, i / 16, new TreeNode(i % 16, 1), fraction) ? 1 : 0;
        }
        Assert.InRange(picked / (double)Nodes, fraction * 0.9, fraction * 1.1);
    }

    [Fact]
    public void SpotCheckSelectionDependsOnTheSeedAndIsReproducible()
    {
        var node = new TreeNode(4, 4);
        var bySeed = Enumerable.Range(0, 64).Select(step => SpotCheckSelection.Picks(1, step, node, 0.5)).ToList();
        Assert.Equal(bySeed, Enumerable.Range(0, 64).Select(step => SpotCheckSelection.Picks(1, step, node, 0.5)));
        Assert.NotEqual(bySeed, Enumerable.Range(0, 64).Select(step => SpotCheckSelection.Picks(2, step, node, 0.5)));
        Assert.All(Enumerable.Range(0, 64), step => Assert.False(SpotCheckSelection.Picks(1, step, node, 0)));
        Assert.All(Enumerable.Range(0, 64), step => Assert.True(SpotCheckSelection.Picks(1, step, node, 1)));
    }

    [Fact]
    public void NoNormIsAnOutlierUntilEnoughNormsAreKnown()
    {
        var history = new GradientNormHistory();
        for (var i = 0; i < GradientNormHistory.MinimumCount - 1; i++)
        {
            history.Add(1);
        }
        Assert.False(history.IsOutlier(1e6, 1, 10));
        history.Add(1);
        Assert.True(history.IsOutlier(1e6, 1, 10));
    }

    [Fact]
    public void AfterClearingThereIsNoBoundUntilEnoughNewNormsAreKnown()
    {
        var history = new GradientNormHistory();
        for (var i = 0; i < GradientNormHistory.Capacity; i++)
        {
            history.Add(1);
        }
        Assert.True(history.IsOutlier(100, 1, 10));

        history.Clear();
        for (var i = 0; i < GradientNormHistory.MinimumCount - 1; i++)
        {
            history.Add(50);
        }
        Assert.False(history.IsOutlier(100, 1, 10));
        history.Add(50);
        Assert.False(history.IsOutlier(100, 1, 10));
        Assert.True(history.IsOutlier(501, 1, 10));
    }

    [Fact]
    public void TheBoundIsTheRatioTimesTheMedianNormPerSampleOfTheLatestNodes()
    {
        var history = new GradientNormHistory();
        // An old regime of large norms, then a window's worth of smaller ones: only the window counts.
        for (var i = 0; i < GradientNormHistory.Capacity; i++)
        {
            history.Add(100);
        }
        for (var i = 0; i < GradientNormHistory.Capacity; i++)
        {
            history.Add(i % 2 == 0 ? 1 : 3);
        }
        // Median 2: a node of 4 samples may have a norm up to 10 × 2 × 4 = 80.
        Assert.False(history.IsOutlier(80, 4, 10));
        Assert.True(history.IsOutlier(80.01, 4, 10));
    }
}
