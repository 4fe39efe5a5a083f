using CnnDistributed.Core.Model;
using ILGPU;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// The per-shard reduction of convolution weight and bias gradients. Thread i owns parameter i mod T of shard
/// i / T and loops over the shard's samples [starts[shard], starts[shard+1]) in order, then over output
/// positions in row-major order: one fixed summation order per parameter, no atomics, so the result is
/// the same on every run and for any grid shape. Gradients are written to grad[shard·ParameterCount + offset].
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public static class GradientReductionKernels
{
    private const int K = ModelShape.Kernel;

    /// <summary>dW[oc,ic,ky,kx] = Σ_s Σ_y,x dout[s,oc,y,x]·in[s,ic,y+ky,x+kx].</summary>
    public static void ConvWeightGradient(Index1D i, ArrayView<float> input, ArrayView<float> outputGradient, ArrayView<int> starts, ArrayView<float> gradients, ConvShape c)
    {
        var taps = c.Taps;
        int shard = i / taps, t = i - shard * taps;
        int kx = t % K, ky = t / K % K, ic = t / (K * K) % c.InChannels, oc = t / (K * K * c.InChannels);
        var acc = 0f;
        for (var s = starts[shard]; s < starts[shard + 1]; s++)
        {
            var outBase = s * c.OutputStride + oc * c.OutSide * c.OutSide;
            var inBase = s * c.InputStride + (ic * c.InSide + ky) * c.InSide + kx;
            for (var y = 0; y < c.OutSide; y++)
            {
                for (var x = 0; x < c.OutSide; x++)
                {
                    acc += outputGradient[outBase + y * c.OutSide + x] * input[inBase + y * c.InSide + x];
                }
            }
        }
        gradients[shard * ModelShape.ParameterCount + c.Weight + t] = acc;
    }

    /// <summary>db[c] = Σ_s Σ_p dout[s,c,p] over the shard's samples and the channel's positions.</summary>
    public static void BiasGradient(Index1D i, ArrayView<float> outputGradient, ArrayView<int> starts, ArrayView<float> gradients, BiasShape b)
    {
        int shard = i / b.Channels, c = i - shard * b.Channels;
        var acc = 0f;
        for (var s = starts[shard]; s < starts[shard + 1]; s++)
        {
            var first = s * b.SampleStride + c * b.Area;
            for (var p = 0; p < b.Area; p++)
            {
                acc += outputGradient[first + p];
            }
        }
        gradients[shard * ModelShape.ParameterCount + b.Target + c] = acc;
    }
}
