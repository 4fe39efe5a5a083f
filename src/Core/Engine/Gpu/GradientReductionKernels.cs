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
    public static void ConvWeightGradient(Index1D i, ArrayView<float> input, ArrayView<float> outputGradient, ArrayView<int> starts, ArrayView<float> gradients, ConvShape c) =>
        ConvWeight(i, input, outputGradient, starts, gradients, c);

    /// <summary>
    /// conv1's weight gradient (<see cref="ConvWeightGradient"/>, threads [0, <paramref name="weightThreads"/>)) and
    /// every layer's bias gradient (the threads after) in one launch: both need only the activation gradients that
    /// are all there once conv1's is, so they share a launch instead of costing one each.
    /// </summary>
    public static void Conv1WeightAndBiasGradients(Index1D i, ArrayView<float> input, ArrayView<float> fc2, ArrayView<float> fc1, ArrayView<float> conv2, ArrayView<float> conv1,
        ArrayView<int> starts, ArrayView<float> gradients, ConvShape c, int weightThreads)
    {
        if (i < weightThreads)
        {
            ConvWeight(i, input, conv1, starts, gradients, c);
        }
        else
        {
            Biases(i - weightThreads, fc2, fc1, conv2, conv1, starts, gradients);
        }
    }

    private static void ConvWeight(int i, ArrayView<float> input, ArrayView<float> outputGradient, ArrayView<int> starts, ArrayView<float> gradients, ConvShape c)
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

    /// <summary>
    /// Every layer's bias gradient: one thread per shard, layer and channel (fc2, fc1, conv2, conv1 in that order
    /// within a shard), each db[c] = Σ_s Σ_p dout[s,c,p] over the shard's samples and the channel's positions,
    /// summed in the same order as a launch per layer would.
    /// </summary>
    private static void Biases(int i, ArrayView<float> fc2, ArrayView<float> fc1, ArrayView<float> conv2, ArrayView<float> conv1,
        ArrayView<int> starts, ArrayView<float> gradients)
    {
        const int Fc1 = ModelShape.Classes, Conv2 = Fc1 + ModelShape.Hidden, Conv1 = Conv2 + ModelShape.Conv2Channels;
        int shard = i / BiasesPerShard, k = i - shard * BiasesPerShard;
        if (k < Fc1)
        {
            BiasSum(shard, k, fc2, starts, gradients, ModelShape.Classes, 1, ModelShape.Fc2Bias);
        }
        else if (k < Conv2)
        {
            BiasSum(shard, k - Fc1, fc1, starts, gradients, ModelShape.Hidden, 1, ModelShape.Fc1Bias);
        }
        else if (k < Conv1)
        {
            BiasSum(shard, k - Conv2, conv2, starts, gradients, ModelShape.Conv2Channels, ModelShape.Conv2Side * ModelShape.Conv2Side, ModelShape.Conv2Bias);
        }
        else
        {
            BiasSum(shard, k - Conv1, conv1, starts, gradients, ModelShape.Conv1Channels, ModelShape.Conv1Side * ModelShape.Conv1Side, ModelShape.Conv1Bias);
        }
    }

    /// <summary>The biases of all four layers: the bias threads per shard of <see cref="Conv1WeightAndBiasGradients"/>.</summary>
    public const int BiasesPerShard = ModelShape.Classes + ModelShape.Hidden + ModelShape.Conv2Channels + ModelShape.Conv1Channels;

    private static void BiasSum(int shard, int c, ArrayView<float> outputGradient, ArrayView<int> starts, ArrayView<float> gradients, int channels, int area, int target)
    {
        var acc = 0f;
        for (var s = starts[shard]; s < starts[shard + 1]; s++)
        {
            var first = s * channels * area + c * area;
            for (var p = 0; p < area; p++)
            {
                acc += outputGradient[first + p];
            }
        }
        gradients[shard * ModelShape.ParameterCount + target + c] = acc;
    }
}
