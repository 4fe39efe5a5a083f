using ILGPU;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// The SGD update on the device, element-wise and in the same operation order as <see cref="Optimization.SgdOptimizer"/>:
/// g = w·wd + ∇ (only when wd ≠ 0); v = v·μ + g (only when μ ≠ 0); w = (nesterov ? v·μ + g : v)·(−lr) + w.
/// </summary>
public static class SgdKernel
{
    public static void Update(Index1D i, ArrayView<float> weights, ArrayView<float> gradient, ArrayView<float> velocity, SgdSettings o)
    {
        var g = gradient[i];
        if (o.WeightDecay != 0f)
        {
            g = weights[i] * o.WeightDecay + g;
        }
        var direction = g;
        if (o.Momentum != 0f)
        {
            var v = velocity[i] * o.Momentum + g;
            velocity[i] = v;
            direction = o.Nesterov != 0 ? v * o.Momentum + g : v;
        }
        weights[i] = direction * -o.LearningRate + weights[i];
    }
}
