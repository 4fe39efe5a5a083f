using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Engine.Portable;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Tests.Engine;

/// <summary>Forward passes whose result can be worked out by hand, on every engine.</summary>
[Trait("Category", "Unit")]
public sealed class KnownAnswerForwardTests
{
    /// <summary>
    /// A white image through constant kernels: conv1 (all 1/25) gives 1 everywhere, pooling keeps 1, conv2
    /// (all 1/150) gives 1, fc1 (all 1/256) gives 1 for every hidden unit, and fc2 row o (all o/100) gives
    /// logit 1.2·o. The cross-entropy for label 3 is log Σ exp(1.2·o) − 3.6.
    /// </summary>
    private static float[] ConstantNetwork()
    {
        var w = new float[ModelShape.ParameterCount];
        w.AsSpan(ModelShape.Conv1Weight, ModelShape.Conv1Bias - ModelShape.Conv1Weight).Fill(1f / 25);
        w.AsSpan(ModelShape.Conv2Weight, ModelShape.Conv2Bias - ModelShape.Conv2Weight).Fill(1f / 150);
        w.AsSpan(ModelShape.Fc1Weight, ModelShape.Fc1Bias - ModelShape.Fc1Weight).Fill(1f / 256);
        for (var o = 0; o < ModelShape.Classes; o++)
        {
            w.AsSpan(ModelShape.Fc2Weight + o * ModelShape.Hidden, ModelShape.Hidden).Fill(o / 100f);
        }
        return w;
    }

    private static readonly double ExpectedLoss =
        Math.Log(Enumerable.Range(0, 10).Sum(o => Math.Exp(1.2 * o))) - 3.6;

    [Fact]
    public void ReferenceNetworkGivesTheHandComputedLogitsAndLoss()
    {
        var network = new DirectNetwork<double>();
        var image = Enumerable.Repeat(1.0, ModelShape.Pixels).ToArray();
        var (loss, predicted) = network.Forward(ConstantNetwork().Select(x => (double)x).ToArray(), image, 3);
        Assert.Equal(9, predicted);
        Assert.Equal(ExpectedLoss, loss, 1e-5);
        for (var o = 0; o < 10; o++)
        {
            Assert.Equal(1.2 * o, network.Logits[o], 1e-5);
        }
    }

    [Theory]
    [InlineData(CpuKernelTier.Best)]
    [InlineData(CpuKernelTier.Avx2)]
    [InlineData(CpuKernelTier.Portable)]
    public void CpuBackendGivesTheHandComputedLoss(CpuKernelTier tier)
    {
        using var backend = new CpuBackend(1, InputScaling.UnitRange, tier);
        var pixels = Enumerable.Repeat((byte)255, ModelShape.Pixels).ToArray();
        var losses = new float[1];
        var predictions = new byte[1];
        backend.Evaluate(ConstantNetwork(), new ShardSamples(pixels, new byte[] { 3 }), losses, predictions);
        Assert.Equal(9, predictions[0]);
        Assert.Equal(ExpectedLoss, losses[0], 1e-4);
    }

    [Theory]
    [InlineData(CpuKernelTier.Best)]
    [InlineData(CpuKernelTier.Avx2)]
    [InlineData(CpuKernelTier.Portable)]
    public void BiasOnlyNetworkPredictsTheLargestFc2Bias(CpuKernelTier tier)
    {
        var w = new float[ModelShape.ParameterCount];
        w[ModelShape.Fc2Bias + 6] = 2f;
        using var backend = new CpuBackend(1, InputScaling.UnitRange, tier);
        var losses = new float[1];
        var predictions = new byte[1];
        backend.Evaluate(w, new ShardSamples(new byte[ModelShape.Pixels], new byte[] { 6 }), losses, predictions);
        Assert.Equal(6, predictions[0]);
        Assert.Equal(Math.Log(9 + Math.Exp(2)) - 2, losses[0], 1e-5);
    }
}
