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

    /// <summary>out[s,oc,y,x] = relu(b[oc] + Σ in[s,ic,y+ky,x+kx]·W[oc,ic,ky,kx]).</summary>
    public static void ConvForward(Index1D i, ArrayView<float> w, ArrayView<float> input, ArrayView<float> output, ConvShape c)
    {
        int area = c.OutSide * c.OutSide, perSample = c.OutChannels * area;
        int s = i / perSample, r = i - s * perSample;
        int oc = r / area, y = (r - oc * area) / c.OutSide, x = r - oc * area - y * c.OutSide;
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
        output[i] = acc > 0f ? acc : 0f;
    }

    /// <summary>2x2 stride-2 max-pool; ties go to the first maximum in row-major order. argMax holds the per-sample input index.</summary>
    public static void PoolForward(Index1D i, ArrayView<float> input, ArrayView<float> output, ArrayView<int> argMax, PoolShape p)
    {
        int area = p.Half * p.Half, perSample = p.Channels * area;
        int s = i / perSample, r = i - s * perSample;
        int c = r / area, y = (r - c * area) / p.Half, x = r - c * area - y * p.Half;
        var inBase = s * p.InputStride;
        var best = (c * p.Side + 2 * y) * p.Side + 2 * x;
        var top = best;
        if (input[inBase + top + 1] > input[inBase + best])
        {
            best = top + 1;
        }
        if (input[inBase + top + p.Side] > input[inBase + best])
        {
            best = top + p.Side;
        }
        if (input[inBase + top + p.Side + 1] > input[inBase + best])
        {
            best = top + p.Side + 1;
        }
        output[i] = input[inBase + best];
        argMax[i] = best;
    }

    /// <summary>
    /// fc2, softmax and cross-entropy for one sample per thread: writes the loss, the predicted class and
    /// dz = softmax − onehot(label) (the logits pass through <paramref name="dz"/> first).
    /// </summary>
    /// <remarks>
    /// ptxas gives this kernel about 168 registers (over the 64 of docs/gpu.md): it unrolls the ten 120-long dot
    /// products and keeps their loads in flight. That is right here: the launch has one thread per sample, so even a
    /// batch of 4,096 is about one warp per SM of an H200 and the register file never limits how many warps run.
    /// Splitting the work to lower the count would add a launch per step, which is what this model's steps cost.
    /// </remarks>
    public static void OutputLayer(Index1D s, ArrayView<float> w, ArrayView<float> hidden, ArrayView<byte> labels, ArrayView<float> dz, ArrayView<float> losses, ArrayView<int> predictions)
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
    }
}
