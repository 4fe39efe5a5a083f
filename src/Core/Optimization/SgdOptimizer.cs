using System.Numerics.Tensors;

namespace CnnDistributed.Core.Optimization;

/// <summary>
/// SGD as <c>torch.optim.SGD</c> with dampening 0 (docs/model.md): g = ∇ + wd·w; v = μ·v + g;
/// w −= lr·(nesterov ? g + μ·v : v). Every operation is element-wise in float32 with one rounding per multiply and
/// per add, so the result does not depend on vector width or thread count. The velocity starts at zero, so the first
/// step gives v = g as in PyTorch.
/// </summary>
public sealed class SgdOptimizer(float momentum, bool nesterov, float weightDecay, int parameterCount)
{
    private readonly float[] _direction = new float[parameterCount];

    internal float Momentum { get; } = momentum;

    internal bool Nesterov { get; } = nesterov;

    internal float WeightDecay { get; } = weightDecay;

    /// <summary>The momentum buffer (saved in checkpoints).</summary>
    public float[] Velocity { get; } = new float[parameterCount];

    /// <summary>
    /// Updates <paramref name="parameters"/> in place with the (already batch-averaged) <paramref name="gradient"/>
    /// at rate <paramref name="learningRate"/>, and advances <see cref="Velocity"/> when momentum is on.
    /// </summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate)
    {
        if (parameters.Length != Velocity.Length || gradient.Length != Velocity.Length)
        {
            throw new ArgumentException(
                $"the optimizer holds {Velocity.Length} parameters, "
                + $"got {parameters.Length} parameters and {gradient.Length} gradients");
        }
        var g = gradient;
        if (WeightDecay != 0)
        {
            TensorPrimitives.MultiplyAdd(parameters, WeightDecay, gradient, _direction);
            g = _direction;
        }
        ReadOnlySpan<float> direction = g;
        if (Momentum != 0)
        {
            TensorPrimitives.MultiplyAdd(Velocity, Momentum, g, Velocity);
            if (Nesterov)
            {
                TensorPrimitives.MultiplyAdd(Velocity, Momentum, g, _direction);
                direction = _direction;
            }
            else
            {
                direction = Velocity;
            }
        }
        TensorPrimitives.MultiplyAdd(direction, -learningRate, parameters, parameters);
    }
}
