namespace CnnDistributed.Core.Model;

/// <summary>
/// The fixed LeNet-style network of docs/model.md. All parameters live in one flat float vector whose
/// order is the tensor order of docs/model.md, so the vector's raw bytes are exactly what <c>weights_sha256</c>
/// hashes.
/// </summary>
public static class ModelShape
{
    /// <summary>Width and height of an input image, in pixels.</summary>
    public const int ImageSide = 28;

    /// <summary>Pixels (bytes) per input image.</summary>
    public const int Pixels = ImageSide * ImageSide;

    /// <summary>Output classes: the digits 0 to 9.</summary>
    public const int Classes = 10;

    // Layer sizes: the side of the square convolution kernels, then channels and square map sides per layer.
    internal const int Kernel = 5;

    internal const int Conv1Channels = 6;
    internal const int Conv1Side = 24;
    internal const int Pool1Side = 12;
    internal const int Conv2Channels = 16;
    internal const int Conv2Side = 8;
    internal const int Pool2Side = 4;
    internal const int Flattened = Conv2Channels * Pool2Side * Pool2Side;
    internal const int Hidden = 120;

    // Where each tensor starts in the flat parameter vector.
    internal const int Conv1Weight = 0;
    internal const int Conv1Bias = Conv1Weight + Conv1Channels * Kernel * Kernel;
    internal const int Conv2Weight = Conv1Bias + Conv1Channels;
    internal const int Conv2Bias = Conv2Weight + Conv2Channels * Conv1Channels * Kernel * Kernel;
    internal const int Fc1Weight = Conv2Bias + Conv2Channels;
    internal const int Fc1Bias = Fc1Weight + Hidden * Flattened;
    internal const int Fc2Weight = Fc1Bias + Hidden;
    internal const int Fc2Bias = Fc2Weight + Classes * Hidden;

    /// <summary>The length of the flat parameter vector: every weight and bias of the network.</summary>
    public const int ParameterCount = Fc2Bias + Classes;

    /// <summary>The eight tensors in the order of docs/model.md (PyTorch names and layouts).</summary>
    public static IReadOnlyList<TensorSpec> Tensors { get; } =
    [
        new("conv1.weight", [Conv1Channels, 1, Kernel, Kernel], Conv1Weight, Kernel * Kernel),
        new("conv1.bias", [Conv1Channels], Conv1Bias, Kernel * Kernel),
        new(
            "conv2.weight",
            [Conv2Channels, Conv1Channels, Kernel, Kernel],
            Conv2Weight,
            Conv1Channels * Kernel * Kernel),
        new("conv2.bias", [Conv2Channels], Conv2Bias, Conv1Channels * Kernel * Kernel),
        new("fc1.weight", [Hidden, Flattened], Fc1Weight, Flattened),
        new("fc1.bias", [Hidden], Fc1Bias, Flattened),
        new("fc2.weight", [Classes, Hidden], Fc2Weight, Hidden),
        new("fc2.bias", [Classes], Fc2Bias, Hidden),
    ];
}
