using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Portable;
using CnnDistributed.Core.Model;

namespace CnnDistributed.GpuCheck;

/// <summary>A shard's gradient sum, loss sum and correct count from <see cref="DirectNetwork{T}"/> in double precision.</summary>
public static class ReferenceGradient
{
    public static (double[] Gradient, double LossSum, int Correct) Compute(float[] w, ShardSamples shard, InputScaling scaling)
    {
        var network = new DirectNetwork<double>();
        var wd = w.Select(x => (double)x).ToArray();
        var g = new double[w.Length];
        var lossSum = 0.0;
        var correct = 0;
        for (var s = 0; s < shard.Count; s++)
        {
            var label = shard.Labels.Span[s];
            var (loss, predicted) = network.Forward(wd, Image(shard, s, scaling), label);
            network.Backward(wd, g);
            lossSum += loss;
            correct += predicted == label ? 1 : 0;
        }
        return (g, lossSum, correct);
    }

    /// <summary>One sample's pixels scaled to network inputs in double precision.</summary>
    public static double[] Image(ShardSamples samples, int index, InputScaling scaling)
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
