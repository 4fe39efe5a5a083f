using System.Runtime.Intrinsics;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// Permute index vectors (for <c>vpermt2ps</c> over a pair of vectors, lanes 0–31) used by the max-pool kernels.
/// </summary>
internal static class PoolPatterns
{
    /// <summary>Even elements 0, 2, …, 30 of the pair: the left column of each 2x2 window of a row.</summary>
    public static readonly Vector512<int> Even =
        Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>Odd elements 1, 3, …, 31: the right column of each window.</summary>
    public static readonly Vector512<int> Odd =
        Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    /// <summary>Interleaves lanes 0–7 of two vectors: a0 b0 a1 b1 … a7 b7.</summary>
    public static readonly Vector512<int> InterleaveLow =
        Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);

    /// <summary>Interleaves lanes 8–15 of two vectors: a8 b8 … a15 b15.</summary>
    public static readonly Vector512<int> InterleaveHigh =
        Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);

    /// <summary>All bits set in lanes 0–11: the valid outputs of a 12-wide pooled row.</summary>
    public static readonly Vector512<float> FirstTwelve =
        Vector512.Create(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0).AsSingle();

    // conv2's 8x8 map holds 4 rows in a pair of vectors; output lane l = y·4 + x (y in 0–1, x in 0–3) of a
    // window corner (dy, dx) takes element (2y + dy)·8 + 2x + dx. Lanes 8–15 repeat lanes 0–7 and are not stored.
    public static readonly Vector512<int> Pool2TopLeft = Window(0, 0);
    public static readonly Vector512<int> Pool2TopRight = Window(0, 1);
    public static readonly Vector512<int> Pool2BottomLeft = Window(1, 0);
    public static readonly Vector512<int> Pool2BottomRight = Window(1, 1);

    private static Vector512<int> Window(int dy, int dx)
    {
        Span<int> lanes = stackalloc int[16];
        for (var l = 0; l < 16; l++)
        {
            var (y, x) = Math.DivRem(l % 8, 4);
            lanes[l] = (2 * y + dy) * 8 + 2 * x + dx;
        }
        return Vector512.Create((ReadOnlySpan<int>)lanes);
    }
}
