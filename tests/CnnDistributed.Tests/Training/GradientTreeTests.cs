using CnnDistributed.Core.Training;

namespace CnnDistributed.Tests.Training;

[Trait("Category", "Unit")]
public sealed class GradientTreeTests
{
    [Theory]
    [InlineData(8, 0, 8, "[0,8)")]
    [InlineData(8, 1, 7, "[1,2) [2,4) [4,6) [6,7)")]
    [InlineData(8, 3, 5, "[3,4) [4,5)")]
    [InlineData(16, 4, 12, "[4,8) [8,12)")]
    [InlineData(8, 5, 5, "")]
    public void CoverSplitsARangeIntoMaximalAlignedNodes(int shards, int start, int end, string expected) =>
        Assert.Equal(expected, string.Join(' ', GradientTree.Cover(shards, start, end)));

    [Fact]
    public void SumFollowsTheFixedPairwiseTreeNotLeftToRight()
    {
        // In float, 1e8 + 1 and −1e8 + 1 both round away the 1: the tree (g0+g1)+(g2+g3) gives 0,
        // left to right ((g0+g1)+g2)+g3 would give 1.
        float[][] leaves = [[1e8f], [1f], [-1e8f], [1f]];
        var sum = new float[1];
        new GradientTreeSum(4).SumInto(new TreeNode(0, 4), new ShardGradients(leaves), sum);
        Assert.Equal(0f, sum[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(12)]
    public void ShardCountsThatAreNotPowersOfTwoAreRejected(int shards) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardPlan(shards));

    [Fact]
    public void ShardPlanCoversEveryPositionOnceEvenForShortBatches()
    {
        var plan = new ShardPlan(8);
        foreach (var batch in new[] { 1, 5, 60, 64 })
        {
            var ranges = Enumerable.Range(0, 8).Select(i => plan.Range(batch, i)).ToList();
            Assert.Equal(batch, ranges.Sum(r => r.Count));
            for (var i = 1; i < 8; i++)
            {
                Assert.Equal(ranges[i - 1].Start + ranges[i - 1].Count, ranges[i].Start);
            }
        }
    }

    [Fact]
    public void EpochOrderIsAPermutationThatDependsOnlyOnSeedAndEpoch()
    {
        var a = EpochOrder.Create(1000, 1, 3, shuffle: true);
        Assert.Equal(a, EpochOrder.Create(1000, 1, 3, shuffle: true));
        Assert.NotEqual(a, EpochOrder.Create(1000, 1, 4, shuffle: true));
        Assert.NotEqual(a, EpochOrder.Create(1000, 2, 3, shuffle: true));
        Assert.Equal(Enumerable.Range(0, 1000), a.Order());
        Assert.Equal(Enumerable.Range(0, 10), EpochOrder.Create(10, 1, 0, shuffle: false));
    }
}
