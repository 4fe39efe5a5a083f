using ILGPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace CnnDistributed.Core.Engine.Devices;

/// <summary>
/// Resolves <c>--device auto|cpu|cuda|opencl</c> against what ILGPU finds. ILGPU registers a CPU simulator
/// whenever no real device registers, so devices are counted per kind (<c>GetCudaDevices</c>,
/// <c>GetCLDevices</c>), never by <c>Context.Devices</c>. auto picks CUDA, then OpenCL, then the CPU engine.
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
        var cuda = context.GetCudaDevices();
        var openCl = context.GetCLDevices();
        var seen = DescribeDevices(context);
        return requested switch
        {
            ComputeDevice.Cuda when cuda.Count > 0 => new(requested, ComputeDevice.Cuda, $"cuda: {cuda[0].Name}"),
            ComputeDevice.Cuda => throw new DeviceUnavailableException(
                $"--device cuda: no CUDA device found (ILGPU sees only: {seen})"),
            ComputeDevice.OpenCL when openCl.Count > 0 =>
                new(requested, ComputeDevice.OpenCL, $"opencl: {openCl[0].Name}"),
            ComputeDevice.OpenCL => throw new DeviceUnavailableException(
                $"--device opencl: no usable OpenCL device found (ILGPU sees only: {seen})"),
            _ when cuda.Count > 0 => new(requested, ComputeDevice.Cuda, $"auto: chose cuda ({cuda[0].Name})"),
            _ when openCl.Count > 0 => new(requested, ComputeDevice.OpenCL, $"auto: chose opencl ({openCl[0].Name})"),
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
