using CnnDistributed.Core.Model;
using ILGPU;
using ILGPU.Algorithms;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// Forward-pass kernels. One thread per output element over all samples of the call (every shard at once);
/// activations are per-sample NCHW blocks, one sample after another. Sums run in the reference's order
/// (bias first, then input channel, kernel row, kernel column), so the forward pass matches it step for step.
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public static class ForwardKernels
{
    private const int K = ModelShape.Kernel;

    /// <summary>x = pixel·scale + offset (bytes go up, floats are made on the device).</summary>
    public static void ScaleInput(Index1D i, ArrayView<byte> pixels, ArrayView<float> input, float scale, float offset) =>
        input[i] = pixels[i] * scale + offset;

    /// <summary>
    /// A convolution, its ReLU and the 2x2 stride-2 max-pool after it, one thread per pooled output: the thread sums
    /// its window's four activations (each as <see cref="Activation"/> says), keeps the largest (ties go to the first
    /// in row-major order) and its index in the sample's activation map, where the backward pass routes the gradient.
    /// The activations themselves are never stored: the pooled value is the one at the arg-max, which is all the
    /// backward pass's ReLU mask needs.
    /// </summary>
    public static void ConvPoolForward(Index1D i, ArrayView<float> w, ArrayView<float> input, ArrayView<float> pooled, ArrayView<int> argMax, ConvShape c)
    {
        int half = c.OutSide / 2, area = half * half, perSample = c.OutChannels * area;
        int s = i / perSample, r = i - s * perSample;
        int oc = r / area, py = (r - oc * area) / half, px = r - oc * area - py * half;
        int y = 2 * py, x = 2 * px;
        var best = (oc * c.OutSide + y) * c.OutSide + x;
        var top = best;
        var max = Activation(w, input, c, s, oc, y, x);
        var value = Activation(w, input, c, s, oc, y, x + 1);
        if (value > max)
        {
            (max, best) = (value, top + 1);
        }
        value = Activation(w, input, c, s, oc, y + 1, x);
        if (value > max)
        {
            (max, best) = (value, top + c.OutSide);
        }
        value = Activation(w, input, c, s, oc, y + 1, x + 1);
        if (value > max)
        {
            (max, best) = (value, top + c.OutSide + 1);
        }
        pooled[i] = max;
        argMax[i] = best;
    }

    /// <summary>relu(b[oc] + Σ in[s,ic,y+ky,x+kx]·W[oc,ic,ky,kx]) for one output position of one sample.</summary>
    private static float Activation(ArrayView<float> w, ArrayView<float> input, ConvShape c, int s, int oc, int y, int x)
    {
        var inBase = s * c.InputStride;
        var acc = w[c.Bias + oc];
        for (var ic = 0; ic < c.InChannels; ic++)
        {
            for (var ky = 0; ky < K; ky++)
            {
                var row = inBase + (ic * c.InSide + y + ky) * c.InSide + x;
                var tap = c.Weight + ((oc * c.InChannels + ic) * K + ky) * K;
                for (var kx = 0; kx < K; kx++)
                {
                    acc += input[row + kx] * w[tap + kx];
                }
            }
        }
        return acc > 0f ? acc : 0f;
    }

    /// <summary>
    /// fc2, softmax and cross-entropy for one sample per thread: writes the loss, the predicted class,
    /// dz = softmax − onehot(label) (the logits pass through <paramref name="dz"/> first), and the start of the
    /// backward pass that needs nothing else, dh[j] = (h[j] &gt; 0) · Σ_o dz[o]·W2[o,j] (fc2's input gradient with
    /// fc1's ReLU mask), which saves a launch per step (evaluation computes it for nothing).
    /// </summary>
    /// <remarks>
    /// ptxas gives this kernel about 168 registers (over the 64 of docs/gpu.md): it unrolls the ten 120-long dot
    /// products and keeps their loads in flight. That is right here: the launch has one thread per sample, so even a
    /// batch of 4,096 is about one warp per SM of an H200 and the register file never limits how many warps run.
    /// Splitting the work to lower the count would add a launch per step, which is what this model's steps cost.
    /// </remarks>
    public static void OutputLayer(Index1D s, ArrayView<float> w, ArrayView<float> hidden, ArrayView<byte> labels, ArrayView<float> dz, ArrayView<float> losses, ArrayView<int> predictions, ArrayView<float> dh)
    {
        const int H = ModelShape.Hidden, O = ModelShape.Classes;
        int hBase = s * H, zBase = s * O;
        for (var o = 0; o < O; o++)
        {
            var acc = w[ModelShape.Fc2Bias + o];
            for (var j = 0; j < H; j++)
            {
                acc += w[ModelShape.Fc2Weight + o * H + j] * hidden[hBase + j];
            }
            dz[zBase + o] = acc;
        }
        var predicted = 0;
        var max = dz[zBase];
        for (var o = 1; o < O; o++)
        {
            if (dz[zBase + o] > max)
            {
                max = dz[zBase + o];
                predicted = o;
            }
        }
        int label = labels[s];
        var labelLogit = dz[zBase + label];
        var sum = 0f;
        for (var o = 0; o < O; o++)
        {
            var e = XMath.Exp(dz[zBase + o] - max);
            dz[zBase + o] = e;
            sum += e;
        }
        for (var o = 0; o < O; o++)
        {
            dz[zBase + o] = dz[zBase + o] / sum - (o == label ? 1f : 0f);
        }
        losses[s] = XMath.Log(sum) + max - labelLogit;
        predictions[s] = predicted;
        for (var j = 0; j < H; j++)
        {
            var acc = 0f;
            for (var o = 0; o < O; o++)
            {
                acc += dz[zBase + o] * w[ModelShape.Fc2Weight + o * H + j];
            }
            dh[hBase + j] = hidden[hBase + j] > 0f ? acc : 0f;
        }
    }
}
