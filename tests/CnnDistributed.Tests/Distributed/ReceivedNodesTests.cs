using System.Runtime.InteropServices;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Tests.Infrastructure;
using Google.Protobuf;

namespace CnnDistributed.Tests.Distributed;

/// <summary>
/// The coordinator's sum of the tree nodes workers pre-summed equals, bit for bit, the tree sum of all shard gradients,
/// whatever the split of the shards among the workers.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ReceivedNodesTests
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
        var expected = ReferenceTreeSum.Of(leaves);
        var received = new ReceivedNodes(shardCount);
        var treeSum = new GradientTreeSum(shardCount);

        foreach (var (start, end) in RandomRanges(random, shardCount, workers))
        {
            foreach (var node in GradientTree.Cover(shardCount, start, end))
            {
                var preSummed = new float[ModelShape.ParameterCount];
                new GradientTreeSum(shardCount).SumInto(node, new ShardGradients(leaves), preSummed);
                received.Add(node, ByteString.CopyFrom(MemoryMarshal.AsBytes(preSummed.AsSpan())));
            }
        }
        var actual = new float[ModelShape.ParameterCount];
        treeSum.SumInto(new TreeNode(0, shardCount), received, actual);

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
