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

    /// <summary>
    /// Max-pool backward fused with the ReLU mask, one thread per activation element: it receives the pooled
    /// gradient if it is its window's arg-max and the activation there (the pooled value) is positive, else zero.
    /// </summary>
    public static void Unpool(Index1D i, ArrayView<float> pooledGradient, ArrayView<int> argMax, ArrayView<float> pooled, ArrayView<float> gradient, PoolShape p)
    {
        var window = Window(i, argMax, pooled, p);
        gradient[i] = window >= 0 ? pooledGradient[window] : 0f;
    }

    /// <summary>
    /// A convolution's input gradient routed through the max-pool and ReLU before it, one thread per element of the
    /// activation that was pooled into the convolution's input: where <see cref="Unpool"/> would give it the pooled
    /// position's gradient, it computes that position's input gradient (<see cref="InputGradient"/>), else 0.
    /// One launch instead of an input gradient and an unpool.
    /// </summary>
    public static void UnpooledInputGradient(Index1D i, ArrayView<float> w, ArrayView<float> outputGradient, ArrayView<int> argMax, ArrayView<float> pooled, ArrayView<float> gradient, ConvShape c, PoolShape p)
    {
        var window = Window(i, argMax, pooled, p);
        if (window < 0)
        {
            gradient[i] = 0f;
            return;
        }
        int s = window / p.OutputStride, r = window - s * p.OutputStride, area = p.Half * p.Half;
        int ic = r / area, y = (r - ic * area) / p.Half, x = r - ic * area - y * p.Half;
        gradient[i] = InputGradient(w, outputGradient, c, s, ic, y, x);
    }

    /// <summary>
    /// The pooled position (an index into the pool's output) whose gradient activation element i receives: its
    /// window's, if i is the window's arg-max and the pooled value is positive (ReLU); else −1.
    /// </summary>
    private static int Window(int i, ArrayView<int> argMax, ArrayView<float> pooled, PoolShape p)
    {
        int area = p.Side * p.Side, perSample = p.Channels * area;
        int s = i / perSample, r = i - s * perSample;
        int c = r / area, y = (r - c * area) / p.Side, x = r - c * area - y * p.Side;
        var window = s * p.OutputStride + (c * p.Half + y / 2) * p.Half + x / 2;
        return argMax[window] == r && pooled[window] > 0f ? window : -1;
    }

    /// <summary>
    /// A convolution's input gradient at one position: din[s,ic,y,x] = Σ_oc Σ_ky,kx dout[s,oc,y−ky,x−kx]·W[oc,ic,ky,kx]
    /// over the valid output positions, in that order.
    /// </summary>
    private static float InputGradient(ArrayView<float> w, ArrayView<float> outputGradient, ConvShape c, int s, int ic, int y, int x)
    {
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
        return acc;
    }
}
