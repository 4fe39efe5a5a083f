using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;
using CnnDistributed.GpuCheck;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Gpu;

/// <summary>Training with the GPU backend's gradients against the CPU engine's, both applied by <see cref="SgdOptimizer"/>.</summary>
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
}
