using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Engine.Gpu;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.GpuCheck;

/// <summary>
/// Trains the same steps from the same weights with gradients from a GPU backend and from the CPU engine, each
/// applied by <see cref="SgdOptimizer"/> as the coordinator applies them, and reports the largest weight difference
/// relative to the largest weight magnitude. Shard gradients are summed along the tree and divided by the batch.
/// </summary>
public static class TrainingAgreement
{
    public static double MaxRelativeWeightDifference(GpuBackend gpu, float[] initial, IReadOnlyList<IReadOnlyList<ShardSamples>> steps, float learningRate, float momentum, bool nesterov, float weightDecay)
    {
        var gpuWeights = (float[])initial.Clone();
        var cpuWeights = (float[])initial.Clone();
        using var cpu = new CpuBackend(1, InputScaling.UnitRange);
        var gpuOptimizer = new SgdOptimizer(momentum, nesterov, weightDecay, ModelShape.ParameterCount);
        var cpuOptimizer = new SgdOptimizer(momentum, nesterov, weightDecay, ModelShape.ParameterCount);
        foreach (var shards in steps)
        {
            gpuOptimizer.Step(gpuWeights, MeanGradient(gpu, gpuWeights, shards), learningRate);
            cpuOptimizer.Step(cpuWeights, MeanGradient(cpu, cpuWeights, shards), learningRate);
        }
        var scale = cpuWeights.Max(Math.Abs);
        return gpuWeights.Zip(cpuWeights, (g, c) => Math.Abs(g - c) / scale).Max();
    }

    private static float[] MeanGradient(IComputeBackend backend, float[] w, IReadOnlyList<ShardSamples> shards)
    {
        var gradients = shards.Select(_ => new float[ModelShape.ParameterCount]).ToArray();
        backend.ComputeGradients(w, shards, gradients, new ShardStats[shards.Count]);
        var sum = new float[ModelShape.ParameterCount];
        new GradientTreeSum(shards.Count).SumInto(new TreeNode(0, shards.Count), new ShardGradients(gradients), sum);
        var batch = shards.Sum(s => s.Count);
        return sum.Select(g => g / batch).ToArray();
    }
}
