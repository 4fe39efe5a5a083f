namespace CnnDistributed.Core.Engine.Devices;

/// <summary>The values of <c>--device</c> (docs/commands.md).</summary>
public enum ComputeDevice
{
    /// <summary>
    /// The best device found: CUDA, else an OpenCL GPU, else the CPU engine (see <see cref="DeviceSelector"/>).
    /// </summary>
    Auto,

    /// <summary>The CPU engine, <see cref="CnnDistributed.Core.Engine.Cpu.CpuBackend"/>.</summary>
    Cpu,

    /// <summary>The first CUDA GPU, through ILGPU.</summary>
    Cuda,

    /// <summary>The first OpenCL device, through ILGPU.</summary>
    OpenCL,
}
