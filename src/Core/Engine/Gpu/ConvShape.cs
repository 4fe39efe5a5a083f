using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// One valid 5x5 convolution as the kernels see it: channel counts, square sides and where its weights and
/// bias sit in the flat parameter vector. Activations are stored per sample, NCHW, one sample after another.
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public readonly struct ConvShape(int inChannels, int inSide, int outChannels, int weight, int bias)
{
    /// <summary>Input channels.</summary>
    public readonly int InChannels = inChannels;

    /// <summary>Side of each square input map.</summary>
    public readonly int InSide = inSide;

    /// <summary>Output channels: one 5x5 kernel per input channel each.</summary>
    public readonly int OutChannels = outChannels;

    /// <summary>Side of each output map (valid convolution: the input side less 4).</summary>
    public readonly int OutSide = inSide - ModelShape.Kernel + 1;

    /// <summary>Where the weights [out][in][5][5] start in the flat parameter vector.</summary>
    public readonly int Weight = weight;

    /// <summary>Where the biases start in the flat parameter vector.</summary>
    public readonly int Bias = bias;

    /// <summary>Floats of input per sample.</summary>
    public int InputStride => InChannels * InSide * InSide;

    /// <summary>Floats of output per sample.</summary>
    public int OutputStride => OutChannels * OutSide * OutSide;

    /// <summary>Weights of the layer: one weight-gradient thread each per shard.</summary>
    public int Taps => OutChannels * InChannels * ModelShape.Kernel * ModelShape.Kernel;

    /// <summary>conv1: the image to the first feature maps.</summary>
    public static ConvShape Conv1 { get; } = new(
        1, ModelShape.ImageSide, ModelShape.Conv1Channels, ModelShape.Conv1Weight, ModelShape.Conv1Bias);

    /// <summary>conv2: pool1's output to the second feature maps.</summary>
    public static ConvShape Conv2 { get; } = new(
        ModelShape.Conv1Channels,
        ModelShape.Pool1Side,
        ModelShape.Conv2Channels,
        ModelShape.Conv2Weight,
        ModelShape.Conv2Bias);
}
