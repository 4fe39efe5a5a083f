using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>What each <see cref="CpuKernelTier"/> needs of the CPU, its names, and the tier <see cref="CpuKernelTier.Best"/> stands for here.</summary>
public static class CpuKernelTiers
{
    /// <summary>The concrete tiers, fastest first.</summary>
    public static IReadOnlyList<CpuKernelTier> Concrete { get; } = [CpuKernelTier.Avx512, CpuKernelTier.Avx2, CpuKernelTier.Portable];

    public static bool IsSupported(CpuKernelTier tier) => tier switch
    {
        CpuKernelTier.Avx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        CpuKernelTier.Avx2 => Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported,
        CpuKernelTier.Best or CpuKernelTier.Portable => true,
        _ => false,
    };

    /// <summary>The concrete tier to run for <paramref name="tier"/>; throws <see cref="PlatformNotSupportedException"/> when this CPU cannot run it.</summary>
    public static CpuKernelTier Resolve(CpuKernelTier tier)
    {
        if (tier == CpuKernelTier.Best)
        {
            return Concrete.First(IsSupported);
        }
        if (!IsSupported(tier))
        {
            throw new PlatformNotSupportedException($"this CPU cannot run the {Name(tier)} kernel (supported here: {string.Join(", ", Concrete.Where(IsSupported).Select(Name))})");
        }
        return tier;
    }

    /// <summary>The short name used by <c>CNND_CPU_KERNEL</c>: avx512, avx2, portable (or best).</summary>
    public static string Name(CpuKernelTier tier) => tier switch
    {
        CpuKernelTier.Avx512 => "avx512",
        CpuKernelTier.Avx2 => "avx2",
        CpuKernelTier.Portable => "portable",
        _ => "best",
    };

    /// <summary>The device kind of a concrete tier: <c>cpu-avx512</c>, <c>cpu-avx2</c> or <c>cpu-portable</c>.</summary>
    public static string DeviceKind(CpuKernelTier tier) => "cpu-" + Name(Resolve(tier));
}
