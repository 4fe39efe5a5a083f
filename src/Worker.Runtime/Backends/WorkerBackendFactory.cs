using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Devices;

namespace CnnDistributed.Worker.Runtime.Backends;

/// <summary>
/// The backends a worker executable can run, for <c>--device auto|cpu|cuda|opencl</c> through
/// <see cref="ComputeBackendFactory"/>: the CPU engine, or the GPU backend on a CUDA or OpenCL device.
/// </summary>
public sealed class WorkerBackendFactory : IWorkerBackendFactory
{
    private readonly int _threads;
    private readonly Lazy<DeviceSelection> _selection;
    private readonly Lazy<string> _deviceKind;

    public WorkerBackendFactory(string device, int threads)
    {
        _threads = threads;
        _selection = new(() => DeviceSelector.Select(DeviceSelector.Parse(device)));
        _deviceKind = new(() => ComputeBackendFactory.DeviceKindOf(_selection.Value.Chosen));
    }

    /// <summary>The values <c>--device</c> accepts, matched without regard to case.</summary>
    public static IReadOnlyList<string> SupportedDevices { get; } = ["auto", "cpu", "cuda", "opencl"];

    /// <summary>Whether <paramref name="device"/> is one of <see cref="SupportedDevices"/>.</summary>
    public static bool IsSupported(string device) =>
        SupportedDevices.Contains(device, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Why a valid device name cannot be used on this machine (e.g. cuda without a CUDA device, or a CPU kernel tier in
    /// <c>CNND_CPU_KERNEL</c> this CPU lacks), or null.
    /// </summary>
    public static string? Unavailability(string device)
    {
        try
        {
            if (DeviceSelector.Select(DeviceSelector.Parse(device)).Chosen == ComputeDevice.Cpu)
            {
                _ = CpuKernelVariable.Current;
            }
            return null;
        }
        catch (DeviceUnavailableException e)
        {
            return e.Message;
        }
    }

    /// <inheritdoc/>
    public string DeviceKind => _deviceKind.Value;

    /// <inheritdoc/>
    public string DeviceChoice => _selection.Value.Description;

    /// <inheritdoc/>
    public IComputeBackend Create(InputScaling scaling) =>
        ComputeBackendFactory.CreateFor(_selection.Value.Chosen, _threads, scaling);
}
