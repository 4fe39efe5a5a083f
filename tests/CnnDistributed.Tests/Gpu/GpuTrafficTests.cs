using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// What one training step asks of the device (<see cref="Core.Engine.Gpu.GpuTraffic"/>, docs/gpu.md), on ILGPU's CPU
/// simulator with the direct GEMM: a worker's step (its shards summed along the tree on the device) is 12 launches
/// whatever the batch (5 forward, 6 backward, 1 for the tree sums and statistics); the weights, the shard layout,
/// pixels and labels go up in one copy whatever the shards, and only the tree nodes' sums and 16 bytes of statistics a
/// shard come down, in one copy.
/// </summary>
[Trait("Category", "Unit")]
[Collection(GpuSimulatorCollection.Name)]
public sealed class GpuTrafficTests(GpuSimulatorFixture gpu)
{
    private const long WeightBytes = ModelShape.ParameterCount * sizeof(float);

    [Theory]
    [InlineData(6, 2, 0, 2)]
    [InlineData(12, 4, 0, 4)]
    [InlineData(9, 8, 1, 4)]
    public void AWorkerStepCostsTwelveLaunchesAndBringsDownOnlyItsTreeNodesAndStatistics(
        int samples, int shardCount, int first, int end)
    {
        var backend = gpu.UnitRange;
        var count = end - first;
        var perShard = samples / count;
        var shards = Enumerable.Range(0, count).Select(s => SampleShards.Train(100 + s * perShard, perShard)).ToList();
        var cover = GradientTree.Cover(shardCount, first, end);
        var local = cover.Select(n => n with { Start = n.Start - first }).ToList();
        var sums = new float[cover.Count * ModelShape.ParameterCount];
        var before = Snapshot();

        backend.ComputeNodeGradients(
            WeightInitializer.Create(3), shards, local, n => sums.AsSpan(n * ModelShape.ParameterCount), new ShardStats[count]);

        var after = Snapshot();
        Assert.Equal(12, after.Launches - before.Launches);
        Assert.Equal(1, after.CopiesUp - before.CopiesUp);
        Assert.Equal(
            WeightBytes + (count + 1 + cover.Count + 1) * 4 + samples * (ModelShape.Pixels + 1),
            after.BytesUp - before.BytesUp);
        Assert.Equal(1, after.CopiesDown - before.CopiesDown);
        Assert.Equal(cover.Count * WeightBytes + count * 16, after.BytesDown - before.BytesDown);
    }

    [Fact]
    public void PerShardGradientsBringDownEveryShard()
    {
        var backend = gpu.UnitRange;
        var shards = Enumerable.Range(0, 4).Select(s => SampleShards.Train(200 + 2 * s, 2)).ToList();
        var gradients = shards.Select(_ => new float[ModelShape.ParameterCount]).ToList();
        var before = Snapshot();

        backend.ComputeGradients(WeightInitializer.Create(3), shards, gradients, new ShardStats[4]);

        var after = Snapshot();
        Assert.Equal(12, after.Launches - before.Launches);
        Assert.Equal(2, after.CopiesDown - before.CopiesDown);
        Assert.Equal(4 * WeightBytes + 4 * 16, after.BytesDown - before.BytesDown);
    }

    private (long Launches, long CopiesUp, long BytesUp, long CopiesDown, long BytesDown) Snapshot()
    {
        var t = gpu.UnitRange.Traffic;
        return (t.Launches, t.CopiesToDevice, t.BytesToDevice, t.CopiesFromDevice, t.BytesFromDevice);
    }
}
