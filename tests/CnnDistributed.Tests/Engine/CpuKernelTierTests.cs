using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Engine.Devices;

namespace CnnDistributed.Tests.Engine;

/// <summary>Choosing the CPU kernel tier: in code with <see cref="CpuKernelTier"/>, from the environment with <c>CNND_CPU_KERNEL</c>.</summary>
[Trait("Category", "Unit")]
public sealed class CpuKernelTierTests
{
    [Theory]
    [InlineData(CpuKernelTier.Avx2, "cpu-avx2")]
    [InlineData(CpuKernelTier.Portable, "cpu-portable")]
    public void ForcedTierRunsAndNamesItsDeviceKind(CpuKernelTier tier, string deviceKind)
    {
        using var backend = new CpuBackend(1, InputScaling.UnitRange, tier);

        Assert.Equal(tier, backend.Tier);
        Assert.Equal(deviceKind, backend.DeviceKind);
    }

    [Fact]
    public void BestTierIsTheFirstSupportedOfTheFastestFirstOrder()
    {
        using var backend = new CpuBackend(1, InputScaling.UnitRange);

        Assert.Equal(CpuKernelTiers.Concrete.First(CpuKernelTiers.IsSupported), backend.Tier);
        Assert.Equal(CpuKernelTier.Portable, CpuKernelTiers.Concrete[^1]);
    }

    [Theory]
    [InlineData("AuthenticAMD", 0x19, CpuKernelTier.Avx2)]
    [InlineData("AuthenticAMD", 0x1A, CpuKernelTier.Avx512)]
    [InlineData("AuthenticAMD", 0x17, CpuKernelTier.Avx512)]
    [InlineData("GenuineIntel", 6, CpuKernelTier.Avx512)]
    [InlineData("", 0, CpuKernelTier.Avx512)]
    public void ZenFourPrefersTheAvx2KernelAndOtherCpusTheWidest(string vendor, int family, CpuKernelTier first)
    {
        var order = CpuKernelTiers.FastestFirst(vendor, family);

        Assert.Equal(first, order[0]);
        Assert.Equal([CpuKernelTier.Avx512, CpuKernelTier.Avx2, CpuKernelTier.Portable], order.Order());
    }

    [Theory]
    [InlineData(null, CpuKernelTier.Best)]
    [InlineData("", CpuKernelTier.Best)]
    [InlineData("avx2", CpuKernelTier.Avx2)]
    [InlineData("AVX2", CpuKernelTier.Avx2)]
    [InlineData("portable", CpuKernelTier.Portable)]
    public void CpuKernelVariableSelectsTheNamedTier(string? value, CpuKernelTier expected)
    {
        Assert.Equal(expected, CpuKernelVariable.Parse(value));
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("avx-2")]
    [InlineData("best")]
    public void UnknownCpuKernelValueIsADeviceErrorNamingTheVariable(string value)
    {
        var error = Assert.Throws<DeviceUnavailableException>(() => CpuKernelVariable.Parse(value));

        Assert.Equal($"CNND_CPU_KERNEL={value}: expected avx512, avx2 or portable (or unset for the best this CPU supports)", error.Message);
    }
}
