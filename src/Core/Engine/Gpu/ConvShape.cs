using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// One valid 5x5 convolution as the kernels see it: channel counts, square sides and where its weights and
/// bias sit in the flat parameter vector. Activations are stored per sample, NCHW, one sample after another.
/// </summary>
public readonly struct ConvShape(int inChannels, int inSide, int outChannels, int weight, int bias)
{
    public readonly int InChannels = inChannels;
    public readonly int InSide = inSide;
    public readonly int OutChannels = outChannels;
    public readonly int OutSide = inSide - ModelShape.Kernel + 1;
    public readonly int Weight = weight;
    public readonly int Bias = bias;

    public int InputStride => InChannels * InSide * InSide;

    public int OutputStride => OutChannels * OutSide * OutSide;

    public int Taps => OutChannels * InChannels * ModelShape.Kernel * ModelShape.Kernel;

    public static ConvShape Conv1 { get; } = new(1, ModelShape.ImageSide, ModelShape.Conv1Channels, ModelShape.Conv1Weight, ModelShape.Conv1Bias);

    public static ConvShape Conv2 { get; } = new(ModelShape.Conv1Channels, ModelShape.Pool1Side, ModelShape.Conv2Channels, ModelShape.Conv2Weight, ModelShape.Conv2Bias);
}
