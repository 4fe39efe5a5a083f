using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Engine.Portable;
using CnnDistributed.Core.Model;
using CnnDistributed.GpuCheck;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Engine;

/// <summary>
/// Every CPU kernel tier against the double-precision reference (<see cref="CpuKernelTier.Best"/> is AVX-512 on
/// AVX-512 machines). Float32 sums over a shard of up to 33 samples
/// differ from double by rounding only: we allow 1e-5 of the gradient's largest magnitude per element,
/// about 100 float ulps at that scale, far below any real error (a wrong routing or index is O(1)).
/// </summary>
[Trait("Category", "Unit")]
public sealed class CpuBackendAgreementTests
{
    [Theory]
    [InlineData(CpuKernelTier.Best, 1, 0, InputScaling.UnitRange)]
    [InlineData(CpuKernelTier.Best, 8, 40, InputScaling.UnitRange)]
    [InlineData(CpuKernelTier.Best, 33, 200, InputScaling.MnistNormalized)]
    [InlineData(CpuKernelTier.Avx2, 1, 0, InputScaling.UnitRange)]
    [InlineData(CpuKernelTier.Avx2, 8, 40, InputScaling.UnitRange)]
    [InlineData(CpuKernelTier.Avx2, 33, 200, InputScaling.MnistNormalized)]
    [InlineData(CpuKernelTier.Portable, 5, 300, InputScaling.MnistNormalized)]
    public void ShardGradientMatchesTheReference(CpuKernelTier tier, int count, int start, InputScaling scaling)
    {
        var w = WeightInitializer.Create(3);
        var shard = SampleShards.Train(start, count);
        using var backend = new CpuBackend(1, scaling, tier);
        var gradient = new float[ModelShape.ParameterCount];
        var stats = new ShardStats[1];
        backend.ComputeGradients(w, [shard], [gradient], stats);

        var (expected, lossSum, correct) = ReferenceGradient.Compute(w, shard, scaling);
        var tolerance = 1e-5 * expected.Max(Math.Abs);
        foreach (var tensor in ModelShape.Tensors)
        {
            for (var i = tensor.Offset; i < tensor.Offset + tensor.Length; i++)
            {
                Assert.True(Math.Abs(gradient[i] - expected[i]) <= tolerance,
                    $"{tensor.Name}[{i - tensor.Offset}]: got {gradient[i]:E6}, reference {expected[i]:E6}");
            }
        }
        Assert.Equal(lossSum, stats[0].LossSum, 1e-3);
        Assert.Equal(correct, stats[0].Correct);
        Assert.Equal(count, stats[0].Samples);
    }

    [Theory]
    [InlineData(CpuKernelTier.Best)]
    [InlineData(CpuKernelTier.Avx2)]
    [InlineData(CpuKernelTier.Portable)]
    public void TiesInMaxPoolingRouteTheGradientToTheFirstMaximumLikeTheReference(CpuKernelTier tier)
    {
        var pixels = AgreementSamples.TiedPixels();
        var w = WeightInitializer.Create(5);
        for (var i = ModelShape.Conv1Weight; i < ModelShape.Conv1Bias; i++)
        {
            w[i] = 0.04f;
        }
        var shard = new ShardSamples(pixels, new byte[] { 4 });
        using var backend = new CpuBackend(1, InputScaling.UnitRange, tier);
        var gradient = new float[ModelShape.ParameterCount];
        backend.ComputeGradients(w, [shard], [gradient], new ShardStats[1]);
        var (expected, _, _) = ReferenceGradient.Compute(w, shard, InputScaling.UnitRange);
        var tolerance = 1e-5 * expected.Max(Math.Abs);
        for (var i = 0; i < gradient.Length; i++)
        {
            Assert.True(Math.Abs(gradient[i] - expected[i]) <= tolerance, $"parameter {i}: got {gradient[i]:E6}, reference {expected[i]:E6}");
        }
    }

    [Theory]
    [InlineData(CpuKernelTier.Best)]
    [InlineData(CpuKernelTier.Avx2)]
    public void EvaluationMatchesTheReferencePerSample(CpuKernelTier tier)
    {
        var w = WeightInitializer.Create(9);
        var samples = SampleShards.Dataset.Test.All.Slice(0, 130);
        using var backend = new CpuBackend(2, InputScaling.UnitRange, tier);
        var losses = new float[samples.Count];
        var predictions = new byte[samples.Count];
        backend.Evaluate(w, samples, losses, predictions);
        var network = new DirectNetwork<double>();
        var wd = w.Select(x => (double)x).ToArray();
        for (var s = 0; s < samples.Count; s++)
        {
            var (loss, predicted) = network.Forward(wd, ReferenceGradient.Image(samples, s, InputScaling.UnitRange), samples.Labels.Span[s]);
            Assert.Equal(loss, losses[s], 1e-4);
            Assert.Equal(predicted, predictions[s]);
        }
    }
}
