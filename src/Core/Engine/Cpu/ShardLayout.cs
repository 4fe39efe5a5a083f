using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// The workspace layout shared by the vectorised shard kernels (<see cref="Avx512ShardKernel"/>,
/// <see cref="Avx2ShardKernel"/> and its <see cref="Avx2DenseLayers"/>): model sizes under short names, and the padded
/// per-sample strides of their buffers.
/// </summary>
internal static class ShardLayout
{
    public const int K = ModelShape.Kernel;
    public const int Taps1 = K * K;
    public const int C1 = ModelShape.Conv1Channels;
    public const int C2 = ModelShape.Conv2Channels;
    public const int Taps2 = C1 * Taps1;
    public const int F = ModelShape.Flattened;
    public const int H = ModelShape.Hidden;
    public const int O = ModelShape.Classes;

    public const int InSide = ModelShape.ImageSide;
    public const int XStride = 832;                 // 784 pixels + zero padding read by the wide conv1
    public const int A1Stride = 704;                // wide conv1 positions per channel: 11 blocks of 64 floats
    public const int P1Side = ModelShape.Pool1Side;
    public const int P1Size = C1 * P1Side * P1Side; // 864
    public const int P1Stride = 880;                // per sample, room for the 16-lane store of the last row
    public const int A2Size = C2 * 64;              // conv2 output, 8x8 per channel
    public const int ColSize = Taps2 * 64;          // conv2 im2col: [150][64]
    public const int HStride = 128;                 // fc1 output per sample, 120 padded to whole vectors
    public const int ZStride = 16;                  // fc2 output per sample, 10 padded to whole vectors
}
