using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Portable;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Coordinator.Prediction;

/// <summary>
/// The network's forward pass on one image, in double precision (the reference <see cref="DirectNetwork{T}"/>), and
/// the softmax of its logits.
/// </summary>
public sealed class DigitClassifier(ReadOnlySpan<float> parameters, InputScaling scaling)
{
    private readonly double[] _weights = parameters.ToArray().Select(w => (double)w).ToArray();
    private readonly DirectNetwork<double> _network = new();
    private readonly (float Scale, float Offset) _affine = scaling.Affine();

    /// <summary>The label and probabilities of <paramref name="pixels"/> (grey bytes in the MNIST layout).</summary>
    public (int Label, double[] Probabilities) Classify(ReadOnlySpan<byte> pixels)
    {
        var input = new double[ModelShape.Pixels];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = pixels[i] * _affine.Scale + _affine.Offset;
        }
        var (_, label) = _network.Forward(_weights, input, 0);
        var logits = _network.Logits;
        var max = logits.ToArray().Max();
        var exponentials = logits.ToArray().Select(z => Math.Exp(z - max)).ToArray();
        var sum = exponentials.Sum();
        return (label, exponentials.Select(e => e / sum).ToArray());
    }
}
