using CnnDistributed.Core.Engine.Cpu;

namespace CnnDistributed.Core.Engine.Devices;

/// <summary>
/// <c>CNND_CPU_KERNEL=avx512|avx2|portable</c> forces the CPU engine's kernel tier, to benchmark or try a slower
/// tier on a faster CPU; unset or empty means the best this CPU supports. Read once per process, when the first
/// CPU engine is created; an unknown or unsupported value is a <see cref="DeviceUnavailableException"/> (exit 2).
/// </summary>
public static class CpuKernelVariable
{
    internal const string Name = "CNND_CPU_KERNEL";

    private static readonly Lazy<CpuKernelTier> FromProcess =
        new(() => Parse(Environment.GetEnvironmentVariable(Name)));

    /// <summary>This process's choice, from its environment.</summary>
    public static CpuKernelTier Current => FromProcess.Value;

    /// <summary>The tier a value of the variable asks for, checked against this CPU.</summary>
    public static CpuKernelTier Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return CpuKernelTier.Best;
        }
        var tier = CpuKernelTiers.Concrete.FirstOrDefault(
            t => string.Equals(CpuKernelTiers.Name(t), value, StringComparison.OrdinalIgnoreCase),
            CpuKernelTier.Best);
        if (tier == CpuKernelTier.Best)
        {
            throw new DeviceUnavailableException(
                $"{Name}={value}: expected avx512, avx2 or portable (or unset for the best this CPU supports)");
        }
        try
        {
            return CpuKernelTiers.Resolve(tier);
        }
        catch (PlatformNotSupportedException e)
        {
            throw new DeviceUnavailableException($"{Name}={value}: {e.Message}");
        }
    }
}
