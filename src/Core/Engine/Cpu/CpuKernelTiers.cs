using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// What each <see cref="CpuKernelTier"/> needs of the CPU, its names, and the tier <see cref="CpuKernelTier.Best"/>
/// stands for here.
/// </summary>
public static class CpuKernelTiers
{
    private const int AmdZen4Family = 0x19;

    /// <summary>The concrete tiers, fastest first on this CPU (<see cref="FastestFirst"/>).</summary>
    public static IReadOnlyList<CpuKernelTier> Concrete { get; } = FastestFirst(CpuVendor(), CpuFamily());

    /// <summary>
    /// The concrete tiers, fastest first, for a CPU by vendor and family. AMD family 19h (Zen 3 and Zen 4; only Zen 4
    /// has AVX-512) executes each 512-bit instruction as two 256-bit halves, and there the AVX2 kernel measured faster
    /// than the AVX-512 one (README, "Performance"); everywhere else the widest kernel comes first.
    /// </summary>
    public static IReadOnlyList<CpuKernelTier> FastestFirst(string vendor, int family) =>
        vendor == "AuthenticAMD" && family == AmdZen4Family
            ? [CpuKernelTier.Avx2, CpuKernelTier.Avx512, CpuKernelTier.Portable]
            : [CpuKernelTier.Avx512, CpuKernelTier.Avx2, CpuKernelTier.Portable];

    internal static bool IsSupported(CpuKernelTier tier) => tier switch
    {
        CpuKernelTier.Avx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        CpuKernelTier.Avx2 => Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported,
        CpuKernelTier.Best or CpuKernelTier.Portable => true,
        _ => false,
    };

    /// <summary>
    /// The concrete tier to run for <paramref name="tier"/>; throws <see cref="PlatformNotSupportedException"/> when
    /// this CPU cannot run it.
    /// </summary>
    public static CpuKernelTier Resolve(CpuKernelTier tier)
    {
        if (tier == CpuKernelTier.Best)
        {
            return Concrete.First(IsSupported);
        }
        if (!IsSupported(tier))
        {
            throw new PlatformNotSupportedException(
                $"this CPU cannot run the {Name(tier)} kernel "
                + $"(supported here: {string.Join(", ", Concrete.Where(IsSupported).Select(Name))})");
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

    /// <summary>The CPUID vendor string (e.g. GenuineIntel, AuthenticAMD), empty off x86.</summary>
    private static string CpuVendor()
    {
        if (!X86Base.IsSupported)
        {
            return "";
        }
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<int> name = [ebx, edx, ecx];
        return System.Text.Encoding.ASCII.GetString(System.Runtime.InteropServices.MemoryMarshal.AsBytes(name));
    }

    /// <summary>The CPUID display family (base family plus extended family), 0 off x86.</summary>
    private static int CpuFamily()
    {
        if (!X86Base.IsSupported)
        {
            return 0;
        }
        var signature = X86Base.CpuId(1, 0).Eax;
        var family = (signature >> 8) & 0xF;
        return family == 0xF ? family + ((signature >> 20) & 0xFF) : family;
    }

    /// <summary>
    /// The device kind of a concrete tier: <c>cpu-avx512</c>, <c>cpu-avx2</c> or <c>cpu-portable</c>.
    /// </summary>
    public static string DeviceKind(CpuKernelTier tier) => "cpu-" + Name(Resolve(tier));
}
