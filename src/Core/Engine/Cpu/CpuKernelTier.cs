namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// Which shard kernel the CPU engine runs. Each concrete tier is its own device kind: results are bit-identical
/// within a tier on any CPU that supports it, and differ (by rounding only) between tiers.
/// </summary>
public enum CpuKernelTier
{
    /// <summary>
    /// The fastest tier this CPU supports: <see cref="Avx512"/>, else <see cref="Avx2"/>, else <see cref="Portable"/>;
    /// on AMD Zen 4, which splits 512-bit instructions, <see cref="Avx2"/> first
    /// (<see cref="CpuKernelTiers.FastestFirst"/>).
    /// </summary>
    Best,

    /// <summary>
    /// The hand-blocked 512-bit kernel, device kind <c>cpu-avx512</c>; needs accelerated Vector512 (AVX-512F).
    /// </summary>
    Avx512,

    /// <summary>The hand-blocked 256-bit kernel, device kind <c>cpu-avx2</c>; needs AVX2 and FMA.</summary>
    Avx2,

    /// <summary>The direct scalar implementation, device kind <c>cpu-portable</c>; runs anywhere.</summary>
    Portable,
}
