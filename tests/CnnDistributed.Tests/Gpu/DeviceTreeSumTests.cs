using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.GpuCheck;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// The GPU backend sums a worker's shard gradients along the tree on the device (docs/gpu.md); the sums must be the
/// host's <see cref="GradientTreeSum"/> of the same backend's shard gradients to the bit, or the weights would depend
/// on how shards were split between workers (<see cref="TreeSumAgreement"/>, also a check of cnnd-gpu-check). Runs on
/// ILGPU's CPU simulator, whose float adds are IEEE like a GPU's.
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
        // Uneven shards (1 to 3 samples) so that no two leaves are alike.
        var shards = Enumerable.Range(first, end - first).Select(s => SampleShards.Train(10 * s, 1 + s % 3)).ToList();

        var difference = TreeSumAgreement.FirstDifference(gpu.UnitRange, WeightInitializer.Create(7), shards, shardCount, first);

        Assert.Null(difference);
    }

    [Fact]
    public void EachShardsStatisticsAreItsSamplesLossesAddedInOrderAndItsCorrectPredictions()
    {
        var backend = gpu.UnitRange;
        var w = WeightInitializer.Create(7);
        var shards = Enumerable.Range(0, 4).Select(s => SampleShards.Train(20 * s, 1 + s)).ToList();
        var stats = new ShardStats[4];

        backend.ComputeNodeGradients(w, shards, [new TreeNode(0, 4)], _ => new float[P], stats);

        for (var i = 0; i < shards.Count; i++)
        {
            var (losses, predictions) = (new float[shards[i].Count], new byte[shards[i].Count]);
            backend.Evaluate(w, shards[i], losses, predictions);
            var lossSum = 0.0;
            foreach (var loss in losses)
            {
                lossSum += loss;
            }
            var correct = predictions.Where((p, s) => p == shards[i].Labels.Span[s]).Count();
            Assert.Equal(new ShardStats(lossSum, correct, shards[i].Count), stats[i]);
        }
    }

    [Fact]
    public void NodesThatDoNotCoverTheShardsInOrderAreRefused()
    {
        var shards = Enumerable.Range(0, 4).Select(s => SampleShards.Train(s, 1)).ToList();
        var sums = new float[2 * P];
        var w = WeightInitializer.Create(7);

        Assert.Throws<ArgumentException>(() => gpu.UnitRange.ComputeNodeGradients(
            w, shards, [new TreeNode(0, 2), new TreeNode(3, 1)], n => sums.AsSpan(n * P, P), new ShardStats[4]));
        Assert.Throws<ArgumentException>(() => gpu.UnitRange.ComputeNodeGradients(
            w, shards, [new TreeNode(0, 3), new TreeNode(3, 1)], n => sums.AsSpan(n * P, P), new ShardStats[4]));
        Assert.Throws<ArgumentException>(() => gpu.UnitRange.ComputeNodeGradients(
            w, shards, [new TreeNode(0, 2)], n => sums.AsSpan(n * P, P), new ShardStats[4]));
    }
}
