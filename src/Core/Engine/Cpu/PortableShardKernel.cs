using CnnDistributed.Core.Engine.Portable;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// The shard worker for CPUs without AVX2 and FMA: the direct float implementation, sample by sample.
/// </summary>
internal sealed class PortableShardKernel(InputScaling scaling) : IShardKernel
{
    private readonly DirectNetwork<float> _network = new();
    private readonly float[] _image = new float[ModelShape.Pixels];
    private readonly (float Scale, float Offset) _affine = scaling.Affine();

    public ShardStats Forward(float[] w, ShardSamples samples, Span<float> losses, Span<byte> predictions) =>
        Run(w, samples, losses, predictions, gradient: null);

    public ShardStats ComputeGradient(float[] w, ShardSamples samples, float[] g)
    {
        Array.Clear(g);
        return Run(w, samples, [], [], g);
    }

    private ShardStats Run(
        float[] w,
        ShardSamples samples,
        Span<float> losses,
        Span<byte> predictions,
        float[]? gradient)
    {
        var pixels = samples.Pixels.Span;
        var labels = samples.Labels.Span;
        var tally = new ShardTally(losses, predictions);
        for (var s = 0; s < samples.Count; s++)
        {
            var image = pixels.Slice(s * ModelShape.Pixels, ModelShape.Pixels);
            for (var i = 0; i < image.Length; i++)
            {
                _image[i] = image[i] * _affine.Scale + _affine.Offset;
            }
            var (loss, predicted) = _network.Forward(w, _image, labels[s]);
            if (gradient is not null)
            {
                _network.Backward(w, gradient);
            }
            tally.Add(s, loss, predicted, labels[s]);
        }
        return tally.Total(samples.Count);
    }
}
