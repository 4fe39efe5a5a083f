namespace CnnDistributed.Core.Model;

/// <summary>
/// The fixed LeNet-style network of docs/model.md. All parameters live in one flat float vector whose
/// order is the contract's tensor order, so the vector's raw bytes are exactly what <c>weights_sha256</c> hashes.
/// </summary>
public static class ModelShape
{
    public const int ImageSide = 28;
    public const int Pixels = ImageSide * ImageSide;
    public const int Classes = 10;
    public const int Kernel = 5;

    public const int Conv1Channels = 6;
    public const int Conv1Side = 24;
    public const int Pool1Side = 12;
    public const int Conv2Channels = 16;
    public const int Conv2Side = 8;
    public const int Pool2Side = 4;
    public const int Flattened = Conv2Channels * Pool2Side * Pool2Side;
    public const int Hidden = 120;

    public const int Conv1Weight = 0;
    public const int Conv1Bias = Conv1Weight + Conv1Channels * Kernel * Kernel;
    public const int Conv2Weight = Conv1Bias + Conv1Channels;
    public const int Conv2Bias = Conv2Weight + Conv2Channels * Conv1Channels * Kernel * Kernel;
    public const int Fc1Weight = Conv2Bias + Conv2Channels;
    public const int Fc1Bias = Fc1Weight + Hidden * Flattened;
    public const int Fc2Weight = Fc1Bias + Hidden;
    public const int Fc2Bias = Fc2Weight + Classes * Hidden;
    public const int ParameterCount = Fc2Bias + Classes;

    /// <summary>The eight tensors in contract order (PyTorch names and layouts).</summary>
    public static IReadOnlyList<TensorSpec> Tensors { get; } =
    [
        new("conv1.weight", [Conv1Channels, 1, Kernel, Kernel], Conv1Weight, Kernel * Kernel),
        new("conv1.bias", [Conv1Channels], Conv1Bias, Kernel * Kernel),
        new("conv2.weight", [Conv2Channels, Conv1Channels, Kernel, Kernel], Conv2Weight, Conv1Channels * Kernel * Kernel),
        new("conv2.bias", [Conv2Channels], Conv2Bias, Conv1Channels * Kernel * Kernel),
        new("fc1.weight", [Hidden, Flattened], Fc1Weight, Flattened),
        new("fc1.bias", [Hidden], Fc1Bias, Flattened),
        new("fc2.weight", [Classes, Hidden], Fc2Weight, Hidden),
        new("fc2.bias", [Classes], Fc2Bias, Hidden),
    ];
}
