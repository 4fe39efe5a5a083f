using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static CnnDistributed.Core.Engine.Cpu.ShardLayout;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// The conv2 im2col matrix of one sample, shared by the vectorised shard kernels (a copy, so bit-identical for both).
/// </summary>
internal static class Conv2Im2Col
{
    // Row t = (c, ky, kx) of the [150 taps][64 positions] matrix holds the 8x8 pool1 window at that tap, one 8-float
    // row per output row, read from the sample's pool1 output [6][12][12].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fill(ref float p1, ref float col)
    {
        for (var c = 0; c < C1; c++)
        {
            for (var ky = 0; ky < K; ky++)
            {
                for (var kx = 0; kx < K; kx++)
                {
                    var row = (nuint)(((c * K + ky) * K + kx) * 64);
                    var src = (nuint)(c * P1Side * P1Side + ky * P1Side + kx);
                    for (nuint y = 0; y < 8; y++)
                    {
                        Vector256.LoadUnsafe(ref p1, src + y * P1Side).StoreUnsafe(ref col, row + y * 8);
                    }
                }
            }
        }
    }
}
