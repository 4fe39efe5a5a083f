using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.GpuCheck;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Gpu;

/// <summary>The pieces of the GPU check tool (scripts/gpu-check.sh) that run without a GPU.</summary>
[Trait("Category", "Unit")]
public sealed class GpuCheckToolTests
{
    [Fact]
    public async Task TheComparisonTrainingLoopLearnsInOneEpochOnTheCpuEngine()
    {
        using var cpu = new CpuBackend(2, InputScaling.UnitRange);
        var training = new LocalTraining(cpu, SampleShards.Dataset, 64, 0.1f);
        var before = training.TestAccuracy();
        Assert.Equal(125, await training.RunEpochAsync(0));
        Assert.True(training.TestAccuracy() > Math.Max(60, before + 30), $"accuracy {before:F1} % → {training.TestAccuracy():F1} % after one epoch");
    }
}
