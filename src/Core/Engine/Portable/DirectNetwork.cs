using System.Numerics;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine.Portable;

/// <summary>
/// The network of docs/model.md written straight from the article's formulas, one sample at a time, in any
/// IEEE floating-point type: in <c>float</c> it is the portable engine for CPUs without AVX2 and FMA, in
/// <c>double</c> the reference that the fast kernels and the finite-difference checks are measured against.
/// Gradients are accumulated (added) into the caller's buffer, one sample after another.
/// </summary>
public sealed class DirectNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int K = ModelShape.Kernel;
    private const int C1 = ModelShape.Conv1Channels, S1 = ModelShape.Conv1Side, P1 = ModelShape.Pool1Side;
    private const int C2 = ModelShape.Conv2Channels, S2 = ModelShape.Conv2Side;
    private const int F = ModelShape.Flattened, H = ModelShape.Hidden, O = ModelShape.Classes;

    private readonly T[] _x = new T[ModelShape.Pixels];
    private readonly T[] _a1 = new T[C1 * S1 * S1];
    private readonly T[] _p1 = new T[C1 * P1 * P1];
    private readonly int[] _arg1 = new int[C1 * P1 * P1];
    private readonly T[] _a2 = new T[C2 * S2 * S2];
    private readonly T[] _p2 = new T[F];
    private readonly int[] _arg2 = new int[F];
    private readonly T[] _h = new T[H];
    private readonly T[] _z = new T[O];
    private readonly T[] _dz = new T[O];
    private readonly T[] _dh = new T[H];
    private readonly T[] _dp2 = new T[F];
    private readonly T[] _da2 = new T[C2 * S2 * S2];
    private readonly T[] _dp1 = new T[C1 * P1 * P1];
    private readonly T[] _da1 = new T[C1 * S1 * S1];

    /// <summary>The logits of the last forward pass.</summary>
    public ReadOnlySpan<T> Logits => _z;

    /// <summary>
    /// Forward pass of one image already scaled to network inputs; returns the cross-entropy and the predicted class.
    /// </summary>
    public (T Loss, int Predicted) Forward(ReadOnlySpan<T> w, ReadOnlySpan<T> image, int label)
    {
        image.CopyTo(_x);
        Convolve(w, ModelShape.Conv1Weight, ModelShape.Conv1Bias, _x, 1, ModelShape.ImageSide, _a1, C1, S1);
        Pool(_a1, C1, S1, _p1, _arg1);
        Convolve(w, ModelShape.Conv2Weight, ModelShape.Conv2Bias, _p1, C1, P1, _a2, C2, S2);
        Pool(_a2, C2, S2, _p2, _arg2);
        Dense(w, ModelShape.Fc1Weight, ModelShape.Fc1Bias, _p2, F, _h, H, relu: true);
        Dense(w, ModelShape.Fc2Weight, ModelShape.Fc2Bias, _h, H, _z, O, relu: false);

        var predicted = 0;
        var max = _z[0];
        for (var o = 1; o < O; o++)
        {
            if (_z[o] > max)
            {
                max = _z[o];
                predicted = o;
            }
        }
        var sum = T.Zero;
        for (var o = 0; o < O; o++)
        {
            _dz[o] = T.Exp(_z[o] - max);
            sum += _dz[o];
        }
        for (var o = 0; o < O; o++)
        {
            _dz[o] = _dz[o] / sum - (o == label ? T.One : T.Zero);
        }
        return (T.Log(sum) + max - _z[label], predicted);
    }

    /// <summary>
    /// Backward pass of the last <see cref="Forward"/>; adds this sample's gradient into <paramref name="g"/>.
    /// </summary>
    public void Backward(ReadOnlySpan<T> w, Span<T> g)
    {
        // fc2: dW = dz ⊗ h, db = dz, dh = W2ᵀ dz masked by ReLU.
        for (var o = 0; o < O; o++)
        {
            g[ModelShape.Fc2Bias + o] += _dz[o];
            for (var j = 0; j < H; j++)
            {
                g[ModelShape.Fc2Weight + o * H + j] += _dz[o] * _h[j];
            }
        }
        for (var j = 0; j < H; j++)
        {
            var s = T.Zero;
            for (var o = 0; o < O; o++)
            {
                s += _dz[o] * w[ModelShape.Fc2Weight + o * H + j];
            }
            _dh[j] = _h[j] > T.Zero ? s : T.Zero;
        }
        // fc1: dW = dh ⊗ p2, db = dh, dp2 = W1ᵀ dh.
        for (var o = 0; o < H; o++)
        {
            g[ModelShape.Fc1Bias + o] += _dh[o];
            for (var k = 0; k < F; k++)
            {
                g[ModelShape.Fc1Weight + o * F + k] += _dh[o] * _p2[k];
            }
        }
        for (var k = 0; k < F; k++)
        {
            var s = T.Zero;
            for (var o = 0; o < H; o++)
            {
                s += _dh[o] * w[ModelShape.Fc1Weight + o * F + k];
            }
            _dp2[k] = s;
        }
        Unpool(_dp2, _arg2, _a2, _da2);
        ConvolveBackward(w, g, ModelShape.Conv2Weight, ModelShape.Conv2Bias, _p1, C1, P1, _da2, C2, S2, _dp1);
        Unpool(_dp1, _arg1, _a1, _da1);
        ConvolveBackward(
            w, g, ModelShape.Conv1Weight, ModelShape.Conv1Bias, _x, 1, ModelShape.ImageSide, _da1, C1, S1,
            inputGradient: null);
    }

    /// <summary>
    /// Valid 5x5 convolution + ReLU: out[oc,y,x] = relu(b[oc] + Σ in[ic,y+ky,x+kx]·W[oc,ic,ky,kx]).
    /// </summary>
    private static void Convolve(
        ReadOnlySpan<T> w,
        int weight,
        int bias,
        T[] input,
        int inChannels,
        int inSide,
        T[] output,
        int outChannels,
        int outSide)
    {
        for (var oc = 0; oc < outChannels; oc++)
        {
            for (var y = 0; y < outSide; y++)
            {
                for (var x = 0; x < outSide; x++)
                {
                    var s = w[bias + oc];
                    for (var ic = 0; ic < inChannels; ic++)
                    {
                        for (var ky = 0; ky < K; ky++)
                        {
                            for (var kx = 0; kx < K; kx++)
                            {
                                s += input[(ic * inSide + y + ky) * inSide + x + kx]
                                    * w[weight + ((oc * inChannels + ic) * K + ky) * K + kx];
                            }
                        }
                    }
                    output[(oc * outSide + y) * outSide + x] = T.Max(s, T.Zero);
                }
            }
        }
    }

    /// <summary>
    /// Gradients of a convolution given the gradient at its ReLU output (already masked): kernel gradient is
    /// the input convolved with the upstream gradient, input gradient the upstream gradient convolved with the kernel.
    /// </summary>
    private static void ConvolveBackward(
        ReadOnlySpan<T> w,
        Span<T> g,
        int weight,
        int bias,
        T[] input,
        int inChannels,
        int inSide,
        T[] outGrad,
        int outChannels,
        int outSide,
        T[]? inputGradient)
    {
        inputGradient?.AsSpan().Clear();
        for (var oc = 0; oc < outChannels; oc++)
        {
            for (var y = 0; y < outSide; y++)
            {
                for (var x = 0; x < outSide; x++)
                {
                    var d = outGrad[(oc * outSide + y) * outSide + x];
                    g[bias + oc] += d;
                    for (var ic = 0; ic < inChannels; ic++)
                    {
                        for (var ky = 0; ky < K; ky++)
                        {
                            for (var kx = 0; kx < K; kx++)
                            {
                                var wi = weight + ((oc * inChannels + ic) * K + ky) * K + kx;
                                var ii = (ic * inSide + y + ky) * inSide + x + kx;
                                g[wi] += d * input[ii];
                                if (inputGradient is not null)
                                {
                                    inputGradient[ii] += d * w[wi];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>2x2 max-pool, stride 2; ties go to the first maximum in row-major order.</summary>
    private static void Pool(T[] input, int channels, int side, T[] output, int[] argMax)
    {
        var half = side / 2;
        for (var c = 0; c < channels; c++)
        {
            for (var y = 0; y < half; y++)
            {
                for (var x = 0; x < half; x++)
                {
                    var best = (c * side + 2 * y) * side + 2 * x;
                    foreach (var candidate in (ReadOnlySpan<int>)[best + 1, best + side, best + side + 1])
                    {
                        if (input[candidate] > input[best])
                        {
                            best = candidate;
                        }
                    }
                    var o = (c * half + y) * half + x;
                    output[o] = input[best];
                    argMax[o] = best;
                }
            }
        }
    }

    /// <summary>
    /// Routes each pooled gradient to its arg-max and applies the ReLU mask of the pooled activation.
    /// </summary>
    private static void Unpool(T[] pooledGrad, int[] argMax, T[] activation, T[] grad)
    {
        Array.Clear(grad);
        for (var i = 0; i < pooledGrad.Length; i++)
        {
            if (activation[argMax[i]] > T.Zero)
            {
                grad[argMax[i]] = pooledGrad[i];
            }
        }
    }

    private static void Dense(
        ReadOnlySpan<T> w,
        int weight,
        int bias,
        T[] input,
        int inputs,
        T[] output,
        int outputs,
        bool relu)
    {
        for (var o = 0; o < outputs; o++)
        {
            var s = w[bias + o];
            for (var k = 0; k < inputs; k++)
            {
                s += w[weight + o * inputs + k] * input[k];
            }
            output[o] = relu ? T.Max(s, T.Zero) : s;
        }
    }
}
