using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// The fully connected layers' products expressed as <see cref="GemmShape"/>s.
/// </summary>
internal static class GemmPlans
{
    private const int F = ModelShape.Flattened, H = ModelShape.Hidden, O = ModelShape.Classes,
        P = ModelShape.ParameterCount;

    /// <summary>h[s,o] = relu(b1[o] + Σ_k p2[s,k]·W1[o,k]): A = pool2 output, B = W1ᵀ.</summary>
    public static GemmShape Fc1Forward(int samples) =>
        new(samples, H, F, 0, F, 1, ModelShape.Fc1Weight, 1, F, 0, H, 0, ModelShape.Fc1Bias, 1);

    /// <summary>dp2[s,k] = Σ_o dh[s,o]·W1[o,k].</summary>
    public static GemmShape Fc1InputGradient(int samples) =>
        new(samples, F, H, 0, H, 1, ModelShape.Fc1Weight, F, 1, 0, F, 0, -1, 0);

    /// <summary>dW1[o,k] = Σ_s dh[s,o]·p2[s,k] over each shard's samples.</summary>
    public static GemmShape Fc1WeightGradient { get; } =
        new(H, F, 0, 0, 1, H, 0, F, 1, ModelShape.Fc1Weight, F, P, -1, 0);

    /// <summary>dW2[o,j] = Σ_s dz[s,o]·h[s,j] over each shard's samples.</summary>
    public static GemmShape Fc2WeightGradient { get; } =
        new(O, H, 0, 0, 1, O, 0, H, 1, ModelShape.Fc2Weight, H, P, -1, 0);
}
