using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
    public void BestTierIsAvx512ThenAvx2ThenPortable()
    {
        using var backend = new CpuBackend(1, InputScaling.UnitRange);

        var expected = Vector512.IsHardwareAccelerated ? CpuKernelTier.Avx512
            : Avx2.IsSupported && Fma.IsSupported ? CpuKernelTier.Avx2
            : CpuKernelTier.Portable;
        Assert.Equal(expected, backend.Tier);
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
