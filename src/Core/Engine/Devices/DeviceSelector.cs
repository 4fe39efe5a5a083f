using ILGPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace CnnDistributed.Core.Engine.Devices;

/// <summary>
/// Resolves <c>--device auto|cpu|cuda|opencl</c> against what ILGPU finds. ILGPU registers a CPU simulator
/// whenever no real device registers, so devices are counted per kind (<c>GetCudaDevices</c>,
/// <c>GetCLDevices</c>), never by <c>Context.Devices</c>. auto picks CUDA, then an OpenCL GPU, then the CPU engine.
/// </summary>
public static class DeviceSelector
{
    /// <summary>
    /// The device a <c>--device</c> value names, in any letter case; throws <see cref="ArgumentException"/> for
    /// anything but auto, cpu, cuda or opencl.
    /// </summary>
    public static ComputeDevice Parse(string name) => name.ToLowerInvariant() switch
    {
        "auto" => ComputeDevice.Auto,
        "cpu" => ComputeDevice.Cpu,
        "cuda" => ComputeDevice.Cuda,
        "opencl" => ComputeDevice.OpenCL,
        _ => throw new ArgumentException($"--device {name}: expected auto, cpu, cuda or opencl"),
    };

    internal static string Name(this ComputeDevice device) => device switch
    {
        ComputeDevice.Cuda => "cuda",
        ComputeDevice.OpenCL => "opencl",
        ComputeDevice.Cpu => "cpu",
        _ => "auto",
    };

    /// <summary>
    /// Chooses a device for the request; throws <see cref="DeviceUnavailableException"/> when cuda or opencl is asked
    /// for and absent.
    /// </summary>
    public static DeviceSelection Select(ComputeDevice requested)
    {
        if (requested == ComputeDevice.Cpu)
        {
            return new DeviceSelection(requested, ComputeDevice.Cpu, "cpu: the CPU engine, as requested");
        }
        using var context = CreateContext();
        var cudaDevices = context.GetCudaDevices();
        var clDevices = context.GetCLDevices();
        var cuda = new List<string>();
        for (var i = 0; i < cudaDevices.Count; i++)
        {
            cuda.Add(cudaDevices[i].Name);
        }
        var openCl = new List<OpenClDevice>();
        for (var i = 0; i < clDevices.Count; i++)
        {
            openCl.Add(new(clDevices[i].Name, clDevices[i].DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU)));
        }
        return Choose(requested, cuda, openCl, DescribeDevices(context));
    }

    /// <summary>
    /// An OpenCL device ILGPU found, and whether it is of type GPU (PoCL's, for one, is of type CPU).
    /// </summary>
    public sealed record OpenClDevice(string Name, bool IsGpu);

    /// <summary>
    /// The choice among the devices found: an explicit cuda or opencl takes the first of its kind (an OpenCL device
    /// of any type: PoCL is how CI runs the OpenCL backend for real). auto takes CUDA, then an OpenCL device of type
    /// GPU, else the CPU engine: an OpenCL CPU device runs our kernels far slower than the CPU engine.
    /// </summary>
    public static DeviceSelection Choose(
        ComputeDevice requested, IReadOnlyList<string> cuda, IReadOnlyList<OpenClDevice> openCl, string seen)
    {
        var openClGpu = openCl.FirstOrDefault(d => d.IsGpu);
        return requested switch
        {
            ComputeDevice.Cpu => new(requested, ComputeDevice.Cpu, "cpu: the CPU engine, as requested"),
            ComputeDevice.Cuda when cuda.Count > 0 => new(requested, ComputeDevice.Cuda, $"cuda: {cuda[0]}"),
            ComputeDevice.Cuda => throw new DeviceUnavailableException(
                $"--device cuda: no CUDA device found (ILGPU sees only: {seen})"),
            ComputeDevice.OpenCL when openCl.Count > 0 =>
                new(requested, ComputeDevice.OpenCL, $"opencl: {openCl[0].Name}"),
            ComputeDevice.OpenCL => throw new DeviceUnavailableException(
                $"--device opencl: no usable OpenCL device found (ILGPU sees only: {seen})"),
            _ when cuda.Count > 0 => new(requested, ComputeDevice.Cuda, $"auto: chose cuda ({cuda[0]})"),
            _ when openClGpu is not null =>
                new(requested, ComputeDevice.OpenCL, $"auto: chose opencl ({openClGpu.Name}, a GPU)"),
            _ when openCl.Count > 0 => new(
                requested,
                ComputeDevice.Cpu,
                $"auto: chose cpu (OpenCL device {openCl[0].Name} is a CPU device, slower than the CPU engine; "
                    + "--device opencl takes it)"),
            _ => new(
                requested, ComputeDevice.Cpu, $"auto: chose cpu (no CUDA or OpenCL device; ILGPU sees only: {seen})"),
        };
    }

    /// <summary>
    /// A context that enumerates CUDA and OpenCL devices (after registering the native-library resolver).
    /// </summary>
    internal static Context CreateContext()
    {
        IlgpuNativeLibraries.EnsureRegistered();
        return Context.Create(builder => builder.Cuda().OpenCL().EnableAlgorithms());
    }

    private static string DescribeDevices(Context context) =>
        string.Join(", ", context.Devices.Select(d => d.AcceleratorType == ILGPU.Runtime.AcceleratorType.CPU
            ? "CPU accelerator"
            : $"{d.AcceleratorType} {d.Name}"));
}
