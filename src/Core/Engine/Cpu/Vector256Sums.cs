using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// Horizontal sums of 256-bit vectors in a fixed order spelled out with explicit instructions, so a sum is
/// bit-identical on every AVX2 CPU (it does not depend on how the JIT expands a generic reduction).
/// </summary>
internal static class Vector256Sums
{
    /// <summary>Σ lanes as ((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> v)
    {
        var s = v.GetLower() + v.GetUpper();
        s += Sse.MoveHighToLow(s, s);
        s += Sse.Shuffle(s, s, 0b01);
        return s.ToScalar();
    }

    /// <summary>
    /// Lane i = Σ lanes of vector i, for eight vectors at once: three rounds of pairwise horizontal adds and one
    /// cross-half add.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sum8(
        Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3,
        Vector256<float> a4, Vector256<float> a5, Vector256<float> a6, Vector256<float> a7)
    {
        // [a0 a1 a2 a3 | a0 a1 a2 a3] partial sums of lanes 0–3 and 4–7, then the same for a4–a7.
        var low = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
        var high = Avx.HorizontalAdd(Avx.HorizontalAdd(a4, a5), Avx.HorizontalAdd(a6, a7));
        return Avx.Permute2x128(low, high, 0x20) + Avx.Permute2x128(low, high, 0x31);
    }
}
