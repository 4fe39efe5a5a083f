namespace CnnDistributed.Coordinator.Cli;

/// <summary>The <c>--device</c> values and which of them this build can run: only the CPU engine exists so far.</summary>
public static class DeviceChoice
{
    public const string Auto = "auto";
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";
    public const string OpenCl = "opencl";

    public static IReadOnlyList<string> Names { get; } = [Auto, Cpu, Cuda, OpenCl];

    /// <summary>Checks that <paramref name="device"/> is available; <c>auto</c> resolves to the CPU.</summary>
    public static void RequireAvailable(string device)
    {
        var error = OptionChecks.OneOf("--device", device, Names.ToArray());
        if (error is not null)
        {
            throw new UsageException(error);
        }
        if (device == Cuda)
        {
            throw new UsageException("--device cuda: no CUDA device found");
        }
        if (device == OpenCl)
        {
            throw new UsageException("--device opencl: no OpenCL device found");
        }
    }
}
