namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// What a <see cref="GpuBackend"/> has asked of its device so far: kernel launches and host↔device copies. A step of
/// this small model is bound by launches and transfers rather than arithmetic (docs/gpu.md), so benchmarks report
/// them per step. Counted on the calling thread; a backend serves one caller at a time.
/// </summary>
public sealed class GpuTraffic
{
    /// <summary>Kernel launches.</summary>
    public long Launches { get; private set; }

    /// <summary>Host-to-device copies.</summary>
    public long CopiesToDevice { get; private set; }

    /// <summary>Bytes copied from the host to the device.</summary>
    public long BytesToDevice { get; private set; }

    /// <summary>Device-to-host copies.</summary>
    public long CopiesFromDevice { get; private set; }

    /// <summary>Bytes copied from the device to the host.</summary>
    public long BytesFromDevice { get; private set; }

    internal void Launched() => Launches++;

    internal void CopiedToDevice(long bytes) =>
        (CopiesToDevice, BytesToDevice) = (CopiesToDevice + 1, BytesToDevice + bytes);

    internal void CopiedFromDevice(long bytes) =>
        (CopiesFromDevice, BytesFromDevice) = (CopiesFromDevice + 1, BytesFromDevice + bytes);
}
