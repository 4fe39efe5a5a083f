using CnnDistributed.Core.Model;
using ILGPU;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// Per-sample backward kernels (gradients with respect to activations), one thread per element over all
/// samples of the call. Each thread owns its output and sums in a fixed order: no atomics.
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public static class BackwardKernels
{
    private const int K = ModelShape.Kernel;

    /// <summary>dh[s,j] = (h[s,j] &gt; 0) · Σ_o dz[s,o]·W2[o,j] (fc2 input gradient and fc1's ReLU mask).</summary>
    public static void HiddenGradient(Index1D i, ArrayView<float> w, ArrayView<float> dz, ArrayView<float> hidden, ArrayView<float> dh)
    {
        const int H = ModelShape.Hidden, O = ModelShape.Classes;
        int s = i / H, j = i - s * H;
        var acc = 0f;
        for (var o = 0; o < O; o++)
        {
            acc += dz[s * O + o] * w[ModelShape.Fc2Weight + o * H + j];
        }
        dh[i] = hidden[i] > 0f ? acc : 0f;
    }

    /// <summary>
    /// Max-pool backward fused with the ReLU mask, one thread per activation element: it receives the pooled
    /// gradient if it is its window's arg-max and its activation is positive, else zero.
    /// </summary>
    public static void Unpool(Index1D i, ArrayView<float> pooledGradient, ArrayView<int> argMax, ArrayView<float> activation, ArrayView<float> gradient, PoolShape p)
    {
        int area = p.Side * p.Side, perSample = p.Channels * area;
        int s = i / perSample, r = i - s * perSample;
        int c = r / area, y = (r - c * area) / p.Side, x = r - c * area - y * p.Side;
        var pooled = s * p.OutputStride + (c * p.Half + y / 2) * p.Half + x / 2;
        gradient[i] = argMax[pooled] == r && activation[i] > 0f ? pooledGradient[pooled] : 0f;
    }

    /// <summary>Input gradient of a convolution: din[s,ic,y,x] = Σ_oc Σ_ky,kx dout[s,oc,y−ky,x−kx]·W[oc,ic,ky,kx] over valid positions.</summary>
    public static void ConvInputGradient(Index1D i, ArrayView<float> w, ArrayView<float> outputGradient, ArrayView<float> inputGradient, ConvShape c)
    {
        int area = c.InSide * c.InSide, perSample = c.InChannels * area;
        int s = i / perSample, r = i - s * perSample;
        int ic = r / area, y = (r - ic * area) / c.InSide, x = r - ic * area - y * c.InSide;
        var outBase = s * c.OutputStride;
        var acc = 0f;
        for (var oc = 0; oc < c.OutChannels; oc++)
        {
            for (var ky = 0; ky < K; ky++)
            {
                var oy = y - ky;
                if (oy < 0 || oy >= c.OutSide)
                {
                    continue;
                }
                for (var kx = 0; kx < K; kx++)
                {
                    var ox = x - kx;
                    if (ox >= 0 && ox < c.OutSide)
                    {
                        acc += outputGradient[outBase + (oc * c.OutSide + oy) * c.OutSide + ox] * w[c.Weight + ((oc * c.InChannels + ic) * K + ky) * K + kx];
                    }
                }
            }
        }
        inputGradient[i] = acc;
    }
}
