using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Gpu;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;
using CnnDistributed.GpuCheck;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Gpu;

/// <summary>Training with the GPU backend and the device SGD kernel against the CPU engine and <see cref="SgdOptimizer"/>.</summary>
[Trait("Category", "Unit")]
[Collection(GpuSimulatorCollection.Name)]
public sealed class GpuTrainingAgreementTests(GpuSimulatorFixture gpu)
{
    /// <summary>
    /// 20 steps of 2 shards × 1 digit, lr 0.1, momentum 0.9 with Nesterov and weight decay. Each step's gradient
    /// differs between the engines by float rounding (≤ 1e-5 relative, see <see cref="GpuBackendAgreementTests"/>)
    /// and training carries those differences forward; over these 20 steps they reach 3.7e-7 of the largest
    /// weight. We allow 1e-4: a wrong kernel or update rule moves weights by more than 1e-2 within a few steps.
    /// </summary>
    [Fact]
    public void TwentySgdStepsLandOnTheCpuEnginesWeights()
    {
        var steps = Enumerable.Range(0, 20)
            .Select(k => (IReadOnlyList<ShardSamples>)[SampleShards.Train(2 * k, 1), SampleShards.Train(2 * k + 1, 1)])
            .ToList();
        var difference = TrainingAgreement.MaxRelativeWeightDifference(gpu.UnitRange, WeightInitializer.Create(11), steps, 0.1f, 0.9f, nesterov: true, weightDecay: 1e-3f);
        Assert.True(difference <= 1e-4, $"max weight difference {difference:E2} of the largest weight");
    }

    /// <summary>
    /// The update kernel does the optimizer's float operations in the same order, one rounding each; the CPU
    /// simulator runs it through the .NET JIT, which does not fuse multiply-adds, so the results are bit-identical.
    /// </summary>
    [Theory]
    [InlineData(0f, false, 0f)]
    [InlineData(0.9f, false, 0f)]
    [InlineData(0.9f, true, 5e-4f)]
    public void TheDeviceUpdateMatchesSgdOptimizerBitForBit(float momentum, bool nesterov, float weightDecay)
    {
        var random = new Random(7);
        var cpuWeights = Enumerable.Range(0, ModelShape.ParameterCount).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var gpuWeights = (float[])cpuWeights.Clone();
        var cpu = new SgdOptimizer(momentum, nesterov, weightDecay, ModelShape.ParameterCount);
        using var device = new GpuSgdOptimizer(gpu.UnitRange, momentum, nesterov, weightDecay);
        for (var step = 0; step < 3; step++)
        {
            var gradient = Enumerable.Range(0, ModelShape.ParameterCount).Select(_ => random.NextSingle() - 0.5f).ToArray();
            cpu.Step(cpuWeights, gradient, 0.05f);
            device.Step(gpuWeights, gradient, 0.05f);
        }
        Assert.Equal(cpuWeights, gpuWeights);
        Assert.Equal(cpu.Velocity, device.Velocity);
    }
}
