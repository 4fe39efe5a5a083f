using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Engine.Gpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace CnnDistributed.Core.Engine.Devices;

/// <summary>
/// Creates the <see cref="IComputeBackend"/> for a <c>--device</c> choice. GPU device kinds name the GPU model
/// (e.g. <c>cuda-NVIDIA H200</c>), since results are bit-identical only within one model.
/// </summary>
public static class ComputeBackendFactory
{
    /// <summary>Selects a device for <paramref name="requested"/> and creates its backend.</summary>
    public static (IComputeBackend Backend, DeviceSelection Selection) Create(
        ComputeDevice requested,
        int threads,
        InputScaling scaling)
    {
        var selection = DeviceSelector.Select(requested);
        return (CreateFor(selection.Chosen, threads, scaling), selection);
    }

    /// <summary>The backend for a concrete device (not <see cref="ComputeDevice.Auto"/>).</summary>
    public static IComputeBackend CreateFor(ComputeDevice device, int threads, InputScaling scaling)
    {
        if (device == ComputeDevice.Cpu)
        {
            return CreateCpu(threads, scaling);
        }
        var (context, accelerator, kind) = OpenAccelerator(device);
        return new GpuBackend(context, accelerator, kind, scaling);
    }

    /// <summary>
    /// The device kind a backend for <paramref name="device"/> reports, without compiling any kernel (which takes
    /// seconds on some OpenCL runtimes): what a worker sends at registration, long before its first assignment.
    /// </summary>
    public static string DeviceKindOf(ComputeDevice device)
    {
        if (device == ComputeDevice.Cpu)
        {
            return CpuKernelTiers.DeviceKind(CpuKernelVariable.Current);
        }
        var (context, accelerator, kind) = OpenAccelerator(device);
        accelerator.Dispose();
        context.Dispose();
        return kind;
    }

    // The first CUDA or OpenCL device and its kind; DeviceSelector.Select throws DeviceUnavailableException, naming
    // what ILGPU sees, when there is none.
    private static (Context Context, Accelerator Accelerator, string Kind) OpenAccelerator(ComputeDevice device)
    {
        if (device is not (ComputeDevice.Cuda or ComputeDevice.OpenCL))
        {
            throw new ArgumentOutOfRangeException(
                nameof(device), device, "resolve auto with DeviceSelector.Select first");
        }
        DeviceSelector.Select(device);
        var context = DeviceSelector.CreateContext();
        try
        {
            Accelerator accelerator = device == ComputeDevice.Cuda
                ? context.CreateCudaAccelerator(0)
                : context.CreateCLAccelerator(0);
            return (context, accelerator, $"{(device == ComputeDevice.Cuda ? "cuda" : "opencl")}-{accelerator.Name}");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The CPU engine with the kernel tier of <see cref="CpuKernelVariable"/> (<c>CNND_CPU_KERNEL</c>, default the best
    /// this CPU supports); throws <see cref="DeviceUnavailableException"/> when the variable is unknown or unsupported.
    /// </summary>
    public static CpuBackend CreateCpu(int threads, InputScaling scaling) =>
        new(threads, scaling, CpuKernelVariable.Current);

    /// <summary>
    /// Testing path: the GPU backend on ILGPU's CPU simulator (groups of at most 16 threads: the direct GEMM, or
    /// 4x4 tiles with <paramref name="gemmTile"/> = 4). Slow (every simulated thread is an OS thread): only for
    /// correctness checks at tiny shapes.
    /// </summary>
    public static GpuBackend CreateGpuBackendOnCpuSimulator(InputScaling scaling, int gemmTile = 0)
    {
        var context = Context.Create(builder => builder.CPU().EnableAlgorithms());
        var accelerator = context.CreateCPUAccelerator(0);
        return new GpuBackend(context, accelerator, "ilgpu-cpu-simulator", scaling, gemmTile);
    }
}
