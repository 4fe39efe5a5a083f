using System.Runtime.InteropServices;
using CnnDistributed.Coordinator.Cluster;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using Google.Protobuf;

namespace CnnDistributed.Tests.Distributed;

/// <summary>The coordinator's sum of received tree nodes equals, bit for bit, the tree sum of all shard gradients.</summary>
[Trait("Category", "Unit")]
public sealed class ReceivedNodeSumTests
{
    [Theory]
    [InlineData(8, 1)]
    [InlineData(8, 2)]
    [InlineData(8, 3)]
    [InlineData(16, 5)]
    [InlineData(32, 32)]
    [InlineData(32, 7)]
    [InlineData(64, 17)]
    public void SumOfReceivedNodesIsBitIdenticalToTheTreeSumOfAllShards(int shardCount, int workers)
    {
        var random = new Random(shardCount * 100 + workers);
        var leaves = Enumerable.Range(0, shardCount).Select(_ => RandomGradient(random)).ToArray();
        var expected = GradientTree.SumLeaves(leaves.Select(l => (float[])l.Clone()).ToArray());
        var sum = new ReceivedNodeSum(shardCount);

        foreach (var (start, end) in RandomRanges(random, shardCount, workers))
        {
            foreach (var node in GradientTree.Cover(shardCount, start, end))
            {
                var preSummed = GradientTree.Sum(node, leaf => leaf.Size == 1 ? (float[])leaves[leaf.Start].Clone() : null);
                sum.Add(node, ByteString.CopyFrom(MemoryMarshal.AsBytes(preSummed.AsSpan())));
            }
        }
        var actual = new float[ModelShape.ParameterCount];
        sum.SumInto(actual);

        Assert.Equal(MemoryMarshal.Cast<float, uint>(expected.AsSpan()).ToArray(), MemoryMarshal.Cast<float, uint>(actual.AsSpan()).ToArray());
    }

    // Magnitudes spread over many binades, so that adding in another order would change low bits.
    private static float[] RandomGradient(Random random)
    {
        var gradient = new float[ModelShape.ParameterCount];
        for (var i = 0; i < gradient.Length; i++)
        {
            gradient[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-20, 10)));
        }
        return gradient;
    }

    private static IEnumerable<(int Start, int End)> RandomRanges(Random random, int shardCount, int workers)
    {
        var cuts = Enumerable.Range(1, shardCount - 1).OrderBy(_ => random.Next()).Take(workers - 1).Order().ToList();
        var start = 0;
        foreach (var cut in cuts.Append(shardCount))
        {
            yield return (start, cut);
            start = cut;
        }
    }
}
