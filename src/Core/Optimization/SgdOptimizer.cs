namespace CnnDistributed.Core.Optimization;

/// <summary>
/// SGD as <c>torch.optim.SGD</c> (CONTRACT §1): g = ∇ + wd·w; v = μ·v + g; w −= lr·(nesterov ? g + μ·v : v).
/// </summary>
public sealed class SgdOptimizer(float momentum, bool nesterov, float weightDecay, int parameterCount)
{
    /// <summary>The momentum buffer (saved in checkpoints).</summary>
    public float[] Velocity { get; } = new float[parameterCount];

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate) => throw new NotImplementedException();
}
