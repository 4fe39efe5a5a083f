using System.Runtime.InteropServices;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Model;
using CnnDistributed.GpuCheck;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// Every kernel of the GPU backend on ILGPU's CPU simulator against the double-precision reference and the CPU
/// engine, at tiny shapes (1–3 real MNIST digits). The shard gradient touches every kernel: each parameter
/// tensor is written by its own reduction kernel from activations made by all forward and backward kernels.
/// Tolerance: float32 against double differs by rounding only; the GPU kernels sum in a different order from
/// the CPU engine (e.g. conv1's weight gradient over 576 positions per sample), which moves results by a few
/// ulps. We allow 1e-5 of the gradient's largest magnitude per element (about 100 float ulps at that scale),
/// as the CPU agreement tests do; a wrong index, routing or mask gives errors of order 1.
/// </summary>
[Trait("Category", "Unit")]
[Collection(GpuSimulatorCollection.Name)]
public sealed class GpuBackendAgreementTests(GpuSimulatorFixture gpu)
{
    [Theory]
    [InlineData(0, InputScaling.UnitRange)]
    [InlineData(300, InputScaling.MnistNormalized)]
    public void ShardGradientsOfABatchOfShardsMatchTheReference(int start, InputScaling scaling)
    {
        var w = WeightInitializer.Create(3);
        var shards = new[] { SampleShards.Train(start, 1), SampleShards.Train(start + 1, 2) };
        var agreement = GradientAgreement.Measure(gpu.For(scaling), w, shards, scaling);
        Assert.True(agreement.Passed, agreement.ToString());
    }

    [Fact]
    public void ShardGradientsMatchTheCpuEngine()
    {
        var w = WeightInitializer.Create(4);
        var shards = new[] { SampleShards.Train(40, 2), SampleShards.Train(42, 1) };
        var onGpu = Gradients(gpu.UnitRange, w, shards);
        using var cpu = new CpuBackend(1, InputScaling.UnitRange);
        var onCpu = Gradients(cpu, w, shards);
        for (var i = 0; i < shards.Length; i++)
        {
            var tolerance = GradientAgreement.Tolerance * onCpu[i].Max(Math.Abs);
            for (var p = 0; p < ModelShape.ParameterCount; p++)
            {
                Assert.True(Math.Abs(onGpu[i][p] - onCpu[i][p]) <= tolerance, $"shard {i} parameter {p}: gpu {onGpu[i][p]:E6}, cpu {onCpu[i][p]:E6}");
            }
        }
    }

    [Fact]
    public void TiesInMaxPoolingRouteTheGradientToTheFirstMaximumLikeTheReference()
    {
        var pixels = AgreementSamples.TiedPixels();
        var w = WeightInitializer.Create(5);
        Array.Fill(w, 0.04f, ModelShape.Conv1Weight, ModelShape.Conv1Bias - ModelShape.Conv1Weight);
        var agreement = GradientAgreement.Measure(gpu.UnitRange, w, [new ShardSamples(pixels, new byte[] { 4 })], InputScaling.UnitRange);
        Assert.True(agreement.Passed, agreement.ToString());
    }

    [Fact]
    public void TiledGemmGivesBitIdenticalGradientsToTheDirectGemm()
    {
        var w = WeightInitializer.Create(6);
        var shards = new[] { SampleShards.Train(7, 1) };
        Assert.Equal(Bytes(Gradients(gpu.UnitRange, w, shards)[0]), Bytes(Gradients(gpu.Tiled, w, shards)[0]));
    }

    [Fact]
    public void AShardsGradientIsBitIdenticalAcrossRunsAndWhateverShardsShareItsCall()
    {
        var w = WeightInitializer.Create(8);
        var shard = SampleShards.Train(90, 2);
        var alone = Gradients(gpu.UnitRange, w, [shard])[0];
        var again = Gradients(gpu.UnitRange, w, [shard])[0];
        var withOthers = Gradients(gpu.UnitRange, w, [SampleShards.Train(10, 1), shard])[1];
        Assert.Equal(Bytes(alone), Bytes(again));
        Assert.Equal(Bytes(alone), Bytes(withOthers));
    }

    [Fact]
    public void EmptyShardsGiveZeroGradients()
    {
        var gradient = Enumerable.Repeat(1f, ModelShape.ParameterCount).ToArray();
        var stats = new ShardStats[1];
        gpu.UnitRange.ComputeGradients(WeightInitializer.Create(1), [SampleShards.Train(0, 0)], [gradient], stats);
        Assert.All(gradient, g => Assert.Equal(0f, g));
        Assert.Equal(0, stats[0].Samples);
    }

    [Fact]
    public void EvaluationMatchesTheReferencePerSample()
    {
        var w = WeightInitializer.Create(9);
        var samples = SampleShards.Dataset.Test.All.Slice(0, 3);
        var losses = new float[samples.Count];
        var predictions = new byte[samples.Count];
        gpu.UnitRange.Evaluate(w, samples, losses, predictions);
        var network = new Core.Engine.Portable.DirectNetwork<double>();
        var wd = w.Select(x => (double)x).ToArray();
        for (var s = 0; s < samples.Count; s++)
        {
            var (loss, predicted) = network.Forward(wd, ReferenceGradient.Image(samples, s, InputScaling.UnitRange), samples.Labels.Span[s]);
            Assert.Equal(loss, losses[s], 1e-4);
            Assert.Equal(predicted, predictions[s]);
        }
    }

    private static float[][] Gradients(IComputeBackend backend, float[] w, IReadOnlyList<ShardSamples> shards)
    {
        var gradients = shards.Select(_ => new float[ModelShape.ParameterCount]).ToArray();
        backend.ComputeGradients(w, shards, gradients, new ShardStats[shards.Count]);
        return gradients;
    }

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
