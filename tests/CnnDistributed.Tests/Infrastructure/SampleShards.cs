using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>Real MNIST digits from the bundled sample, loaded once per test run, and scaled copies of them.</summary>
public static class SampleShards
{
    private static readonly Lazy<MnistDataset> Data = new(() => MnistDataset.Load(RepositoryPaths.SampleData));

    public static MnistDataset Dataset => Data.Value;

    /// <summary>The first <paramref name="count"/> training samples starting at <paramref name="start"/>.</summary>
    public static ShardSamples Train(int start, int count) => Dataset.Train.All.Slice(start, count);

    /// <summary>One sample's pixels scaled to network inputs in double precision.</summary>
    public static double[] Image(ShardSamples samples, int index, InputScaling scaling = InputScaling.UnitRange)
    {
        var (scale, offset) = scaling.Affine();
        var pixels = samples.Pixels.Span.Slice(index * ModelShape.Pixels, ModelShape.Pixels);
        var image = new double[ModelShape.Pixels];
        for (var i = 0; i < image.Length; i++)
        {
            image[i] = pixels[i] * (double)scale + offset;
        }
        return image;
    }
}
