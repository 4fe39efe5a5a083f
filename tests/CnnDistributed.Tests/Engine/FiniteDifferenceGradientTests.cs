using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Portable;
using CnnDistributed.Core.Model;
using CnnDistributed.GpuCheck;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Engine;

/// <summary>
/// The analytic gradient of the reference network (double precision) against central finite differences,
/// per layer (every parameter tensor) and for the whole network along random directions.
/// </summary>
[Trait("Category", "Unit")]
public sealed class FiniteDifferenceGradientTests
{
    private const double Step = 1e-6;

    public static TheoryData<string> TensorNames() => [.. ModelShape.Tensors.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(TensorNames))]
    public void LayerGradientMatchesFiniteDifferences(string tensorName)
    {
        var tensor = ModelShape.Tensors.Single(t => t.Name == tensorName);
        var (w, samples) = Problem();
        var gradient = Gradient(w, samples);
        var random = new Random(tensor.Offset);
        var indices = Enumerable.Range(0, Math.Min(tensor.Length, 24)).Select(_ => tensor.Offset + random.Next(tensor.Length)).Distinct();
        foreach (var i in indices)
        {
            var saved = w[i];
            w[i] = saved + Step;
            var plus = Loss(w, samples);
            w[i] = saved - Step;
            var minus = Loss(w, samples);
            w[i] = saved;
            var numeric = (plus - minus) / (2 * Step);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-6 + 1e-5 * Math.Abs(numeric),
                $"{tensorName}[{i - tensor.Offset}]: analytic {gradient[i]:E6}, numeric {numeric:E6}");
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void WholeNetworkDirectionalDerivativeMatchesFiniteDifferences(int seed)
    {
        var (w, samples) = Problem();
        var gradient = Gradient(w, samples);
        var random = new Random(seed);
        var direction = w.Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var analytic = direction.Zip(gradient, (d, g) => d * g).Sum();
        var plus = Loss([.. w.Zip(direction, (x, d) => x + Step * d)], samples);
        var minus = Loss([.. w.Zip(direction, (x, d) => x - Step * d)], samples);
        var numeric = (plus - minus) / (2 * Step);
        Assert.True(Math.Abs(numeric - analytic) <= 1e-5 * Math.Abs(analytic), $"analytic {analytic:E8}, numeric {numeric:E8}");
    }

    private static (double[] Weights, (double[] Image, int Label)[] Samples) Problem()
    {
        var w = WeightInitializer.Create(7).Select(x => (double)x).ToArray();
        var shard = SampleShards.Train(100, 3);
        var samples = Enumerable.Range(0, shard.Count).Select(s => (ReferenceGradient.Image(shard, s, InputScaling.UnitRange), (int)shard.Labels.Span[s])).ToArray();
        return (w, samples);
    }

    private static double Loss(double[] w, (double[] Image, int Label)[] samples)
    {
        var network = new DirectNetwork<double>();
        return samples.Sum(s => network.Forward(w, s.Image, s.Label).Loss);
    }

    private static double[] Gradient(double[] w, (double[] Image, int Label)[] samples)
    {
        var network = new DirectNetwork<double>();
        var g = new double[w.Length];
        foreach (var (image, label) in samples)
        {
            network.Forward(w, image, label);
            network.Backward(w, g);
        }
        return g;
    }
}
