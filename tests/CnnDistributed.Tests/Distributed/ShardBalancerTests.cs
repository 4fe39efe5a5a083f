using CnnDistributed.Coordinator.Steps;


namespace CnnDistributed.Tests.Distributed;

[Trait("Category", "Unit")]
public sealed class ShardBalancerTests
{
    private const double Factor = 2;

    [Fact]
    public void AWorkerAThousandTimesFasterGetsNoMoreThanTwiceItsFairShare()
    {
        var ranges = ShardBalancer.Assign([new ShardRange(0, 8)], [1_000_000, 1000, 1000, 1000], Factor);

        Assert.Equal(4, ranges[0]!.Value.Count);
        Assert.All(ranges[1..], r => Assert.InRange(r!.Value.Count, 1, 2));
        Assert.Equal(8, ranges.Sum(r => r!.Value.Count));
    }

    [Theory]
    [InlineData(16, 3, 1.0, 6)]
    [InlineData(16, 5, 2.0, 7)]
    [InlineData(8, 8, 1.5, 2)]
    public void NoQuotaExceedsTheBoundAndEveryShardIsPlaced(int shards, int workers, double factor, int bound)
    {
        var speeds = Enumerable.Range(0, workers).Select(i => i == workers - 1 ? 1e9 : 1.0 + i).ToArray();

        var ranges = ShardBalancer.Assign([new ShardRange(0, shards)], speeds, factor);

        Assert.Equal(bound, ShardBalancer.MaxShards(shards, workers, factor));
        Assert.All(ranges, r => Assert.InRange(r?.Count ?? 0, 0, bound));
        Assert.Equal(shards, ranges.Sum(r => r?.Count ?? 0));
        Assert.InRange(ranges[^1]!.Value.Count, shards / workers, bound);
    }
    [Fact]
    public void EqualSpeedsSplitEvenly()
    {
        var ranges = ShardBalancer.Assign([new ShardRange(0, 8)], [0, 0, 0, 0], Factor);

        Assert.Equal([new ShardRange(0, 2), new ShardRange(2, 4), new ShardRange(4, 6), new ShardRange(6, 8)], ranges);
    }

    [Fact]
    public void ThreeEqualWorkersGetNearlyEqualRanges()
    {
        var ranges = ShardBalancer.Assign([new ShardRange(0, 8)], [0, 0, 0], Factor);

        Assert.All(ranges, r => Assert.InRange(r!.Value.Count, 2, 3));
        Assert.Equal(8, ranges.Sum(r => r!.Value.Count));
    }

    [Fact]
    public void SmallSpeedDifferencesKeepTheTreeAlignedSplit()
    {
        var ranges = ShardBalancer.Assign([new ShardRange(0, 8)], [1200, 1000], Factor);

        Assert.Equal([new ShardRange(0, 4), new ShardRange(4, 8)], ranges);
    }

    [Fact]
    public void FasterWorkersGetProportionallyMoreShards()
    {
        var ranges = ShardBalancer.Assign([new ShardRange(0, 16)], [3000, 1000], Factor);

        Assert.Equal([new ShardRange(0, 12), new ShardRange(12, 16)], ranges);
    }

    [Fact]
    public void MoreWorkersThanShardsLeavesSomeIdle()
    {
        var ranges = ShardBalancer.Assign([new ShardRange(0, 2)], [1, 1, 1], Factor);

        Assert.Single(ranges, r => r is null);
        Assert.Equal([new ShardRange(0, 1), new ShardRange(1, 2)], ranges.Where(r => r is not null).Select(r => r!.Value));
    }

    [Fact]
    public void AWorkerRangeNeverSpansTwoMissingRanges()
    {
        var ranges = ShardBalancer.Assign([new ShardRange(0, 2), new ShardRange(6, 8)], [1], Factor);

        Assert.Equal([new ShardRange(0, 2)], ranges);
    }

    [Fact]
    public void ApportionmentAlwaysGivesOutEveryShard()
    {
        var quotas = ShardBalancer.Apportion(8, [1.7, 2.2, 0.4, 5.1]);

        Assert.Equal(8, quotas.Sum());
    }

    [Fact]
    public void WholeStepKeepsItsSplitWhenTheNewOneIsPredictedLessThanATenthFaster()
    {
        ShardRange?[] current = [new ShardRange(0, 8), new ShardRange(8, 16)];
        Assert.Equal([new ShardRange(0, 9), new ShardRange(9, 16)], ShardBalancer.Assign([new ShardRange(0, 16)], [1.2, 1], Factor));

        var ranges = ShardBalancer.Rebalance(current, 16, [1.2, 1], Factor);

        Assert.Equal(current, ranges);
    }

    [Fact]
    public void EqualWorkersOnAnUnalignedSplitReturnToTheAlignedOneThoughTheFixedCostMakesTheBiggerShareLookFaster()
    {
        // Each round trip costs 4 shards' compute beyond the compute itself: on [0,3) and [3,8) the two equal workers
        // measure 3 shards per 7 units and 5 per 9, and the prediction sees 4/4 finishing later than 3/5.
        ShardRange?[] current = [new ShardRange(0, 3), new ShardRange(3, 8)];

        var ranges = ShardBalancer.Rebalance(current, 8, [3.0 / 7, 5.0 / 9], Factor);

        Assert.Equal([new ShardRange(0, 4), new ShardRange(4, 8)], ranges);
    }

    [Fact]
    public void ASplitWithFewerNodesPredictedMuchSlowerIsNotTaken()
    {
        // The proportional split snaps the middle worker's end onto shard 4: three nodes instead of four, but that
        // worker, the slowest, would hold two shards; predicted 1.6 times the current step.
        ShardRange?[] current = [new ShardRange(0, 2), new ShardRange(2, 3), new ShardRange(3, 8)];
        Assert.Equal(
            [new ShardRange(0, 2), new ShardRange(2, 4), new ShardRange(4, 8)],
            ShardBalancer.Assign([new ShardRange(0, 8)], [2, 1, 4], Factor));

        var ranges = ShardBalancer.Rebalance(current, 8, [2, 1, 4], Factor);

        Assert.Equal(current, ranges);
    }

    [Fact]
    public void WholeStepTakesTheNewSplitWhenItIsClearlyFaster()
    {
        var ranges = ShardBalancer.Rebalance([new ShardRange(0, 4), new ShardRange(4, 8)], 8, [3000, 1000], Factor);

        Assert.Equal([new ShardRange(0, 6), new ShardRange(6, 8)], ranges);
    }
}
