using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// 2x2 max-pooling of eight windows with AVX2, forward and backward. The windows lie on a pair of 16-value input
/// rows, each given as two vectors (low = values 0–7, high = values 8–15); window i covers values 2i and 2i + 1
/// of both rows. The same shape serves both pools: a 28-wide conv1 row (pooled 8 at a time), and two 8-wide
/// conv2 rows side by side (pooled row y in lanes 0–3, row y + 1 in lanes 4–7).
/// </summary>
internal static class Avx2Pooling
{
    /// <summary>
    /// The maximum of each window and the arg-max code 0–3 (top-left, top-right, bottom-left, bottom-right);
    /// strict comparisons keep the first maximum, as the reference does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> Value, Vector256<int> Code) Max(
        Vector256<float> topLow, Vector256<float> topHigh, Vector256<float> bottomLow, Vector256<float> bottomHigh)
    {
        // vshufps takes even (or odd) values within each 128-bit half: windows 0 1 4 5 | 2 3 6 7.
        var value = Avx.Shuffle(topLow, topHigh, 0b10_00_10_00);
        var code = Vector256<int>.Zero;
        var candidate = Avx.Shuffle(topLow, topHigh, 0b11_01_11_01);
        var greater = Vector256.GreaterThan(candidate, value);
        value = Vector256.ConditionalSelect(greater, candidate, value);
        code = Vector256.ConditionalSelect(greater.AsInt32(), Vector256.Create(1), code);
        candidate = Avx.Shuffle(bottomLow, bottomHigh, 0b10_00_10_00);
        greater = Vector256.GreaterThan(candidate, value);
        value = Vector256.ConditionalSelect(greater, candidate, value);
        code = Vector256.ConditionalSelect(greater.AsInt32(), Vector256.Create(2), code);
        candidate = Avx.Shuffle(bottomLow, bottomHigh, 0b11_01_11_01);
        greater = Vector256.GreaterThan(candidate, value);
        value = Vector256.ConditionalSelect(greater, candidate, value);
        code = Vector256.ConditionalSelect(greater.AsInt32(), Vector256.Create(3), code);

        // vpermpd swaps the middle 64-bit pairs: windows 0 1 2 3 4 5 6 7.
        return (Avx2.Permute4x64(value.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(code.AsInt64(), 0b11_01_10_00).AsInt32());
    }

    /// <summary>
    /// Backward: each window's gradient <paramref name="d"/> goes to the input its code names, zeros elsewhere;
    /// returns the two input rows' gradients in the layout <see cref="Max"/> reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float> TopLow, Vector256<float> TopHigh, Vector256<float> BottomLow, Vector256<float> BottomHigh) Spread(
        Vector256<float> d, Vector256<int> code)
    {
        var zero = Vector256<float>.Zero;
        var d0 = Vector256.ConditionalSelect(Vector256.Equals(code, Vector256.Create(0)).AsSingle(), d, zero);
        var d1 = Vector256.ConditionalSelect(Vector256.Equals(code, Vector256.Create(1)).AsSingle(), d, zero);
        var d2 = Vector256.ConditionalSelect(Vector256.Equals(code, Vector256.Create(2)).AsSingle(), d, zero);
        var d3 = Vector256.ConditionalSelect(Vector256.Equals(code, Vector256.Create(3)).AsSingle(), d, zero);

        // vunpcklps/vunpckhps interleave within 128-bit halves (windows 0 1 | 4 5 and 2 3 | 6 7); vperm2f128 joins the halves in order.
        var topA = Avx.UnpackLow(d0, d1);
        var topB = Avx.UnpackHigh(d0, d1);
        var bottomA = Avx.UnpackLow(d2, d3);
        var bottomB = Avx.UnpackHigh(d2, d3);
        return (Avx.Permute2x128(topA, topB, 0x20), Avx.Permute2x128(topA, topB, 0x31),
                Avx.Permute2x128(bottomA, bottomB, 0x20), Avx.Permute2x128(bottomA, bottomB, 0x31));
    }
}
