using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// The GPU backend sums a worker's shard gradients along the tree on the device (docs/gpu.md); the sums must be the
/// host's <see cref="GradientTreeSum"/> of the same backend's shard gradients to the bit, or the weights would depend
/// on how shards were split between workers. Runs on ILGPU's CPU simulator, whose float adds are IEEE like a GPU's.
/// </summary>
[Trait("Category", "Unit")]
[Collection(GpuSimulatorCollection.Name)]
public sealed class DeviceTreeSumTests(GpuSimulatorFixture gpu)
{
    private const int P = ModelShape.ParameterCount;

    [Theory]
    [InlineData(8, 0, 8)]
    [InlineData(8, 1, 7)]
    [InlineData(8, 2, 8)]
    [InlineData(4, 3, 4)]
    public void NodeSumsOnTheDeviceEqualTheHostTreeSumOfTheShardGradients(int shardCount, int first, int end)
    {
        var backend = gpu.UnitRange;
        var w = WeightInitializer.Create(7);
        // Uneven shards (1 to 3 samples) so that no two leaves are alike.
        var shards = Enumerable.Range(first, end - first).Select(s => SampleShards.Train(10 * s, 1 + s % 3)).ToList();
        var leaves = shards.Select(_ => new float[P]).ToArray();
        backend.ComputeGradients(w, shards, leaves, new ShardStats[shards.Count]);
        var cover = GradientTree.Cover(shardCount, first, end);
        var onDevice = new float[cover.Count * P];
        var stats = new ShardStats[shards.Count];

        backend.ComputeNodeGradients(
            w, shards, cover.Select(n => n with { Start = n.Start - first }).ToList(), onDevice, stats);

        var treeSum = new GradientTreeSum(shardCount);
        var onHost = new float[P];
        for (var n = 0; n < cover.Count; n++)
        {
            treeSum.SumInto(cover[n], new ShardGradients(leaves, first), onHost);
            var device = onDevice.AsSpan(n * P, P);
            for (var p = 0; p < P; p++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(device[p]) == BitConverter.SingleToInt32Bits(onHost[p]),
                    $"node {cover[n]} parameter {p}: device {device[p]:R}, host {onHost[p]:R}");
            }
        }
        Assert.Equal(shards.Select(s => s.Count), stats.Select(s => s.Samples));
    }

    [Fact]
    public void NodesThatDoNotCoverTheShardsInOrderAreRefused()
    {
        var shards = Enumerable.Range(0, 4).Select(s => SampleShards.Train(s, 1)).ToList();
        var sums = new float[2 * P];
        var w = WeightInitializer.Create(7);

        Assert.Throws<ArgumentException>(() => gpu.UnitRange.ComputeNodeGradients(
            w, shards, [new TreeNode(0, 2), new TreeNode(3, 1)], sums, new ShardStats[4]));
        Assert.Throws<ArgumentException>(() => gpu.UnitRange.ComputeNodeGradients(
            w, shards, [new TreeNode(0, 3), new TreeNode(3, 1)], sums, new ShardStats[4]));
        Assert.Throws<ArgumentException>(() => gpu.UnitRange.ComputeNodeGradients(
            w, shards, [new TreeNode(0, 2)], sums, new ShardStats[4]));
    }
}
