using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// What one training step asks of the device (<see cref="Core.Engine.Gpu.GpuTraffic"/>, docs/gpu.md), on ILGPU's CPU
/// simulator with the direct GEMM: 12 launches whatever the batch (5 forward, 7 backward), the weights, shard starts,
/// pixels and labels up in 4 copies whatever the shards, and the shard gradients, losses and predictions down in 3.
/// </summary>
[Trait("Category", "Unit")]
[Collection(GpuSimulatorCollection.Name)]
public sealed class GpuTrafficTests(GpuSimulatorFixture gpu)
{
    [Theory]
    [InlineData(6, 2)]
    [InlineData(12, 4)]
    public void AStepCostsTwelveLaunchesAndMovesItsInputsUpAndItsGradientsDown(int samples, int shardCount)
    {
        var backend = gpu.UnitRange;
        var perShard = samples / shardCount;
        var shards = Enumerable.Range(0, shardCount).Select(s => SampleShards.Train(100 + s * perShard, perShard)).ToList();
        var gradients = shards.Select(_ => new float[ModelShape.ParameterCount]).ToList();
        var stats = new ShardStats[shardCount];
        var (launches, copiesUp, bytesUp, copiesDown, bytesDown) = Snapshot();

        backend.ComputeGradients(WeightInitializer.Create(3), shards, gradients, stats);

        var after = Snapshot();
        Assert.Equal(12, after.Launches - launches);
        Assert.Equal(4, after.CopiesUp - copiesUp);
        Assert.Equal((long)ModelShape.ParameterCount * 4 + (shardCount + 1) * 4 + samples * (ModelShape.Pixels + 1), after.BytesUp - bytesUp);
        Assert.Equal(3, after.CopiesDown - copiesDown);
        Assert.Equal((long)shardCount * ModelShape.ParameterCount * 4 + samples * 8, after.BytesDown - bytesDown);

        (long Launches, long CopiesUp, long BytesUp, long CopiesDown, long BytesDown) Snapshot()
        {
            var t = backend.Traffic;
            return (t.Launches, t.CopiesToDevice, t.BytesToDevice, t.CopiesFromDevice, t.BytesFromDevice);
        }
    }
}
