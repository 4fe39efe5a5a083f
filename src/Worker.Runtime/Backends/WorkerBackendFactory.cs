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
        : this(new Lazy<DeviceSelection>(() => DeviceSelector.Select(DeviceSelector.Parse(device))), threads)
    {
    }

    /// <summary>A factory for a device already chosen, e.g. once for all of <c>train --workers N</c>.</summary>
    public WorkerBackendFactory(DeviceSelection selection, int threads)
        : this(new Lazy<DeviceSelection>(selection), threads)
    {
    }

    private WorkerBackendFactory(Lazy<DeviceSelection> selection, int threads)
    {
        _threads = threads;
        _selection = selection;
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
        TrySelect(device, out var unavailable);
        return unavailable;
    }

    /// <summary>
    /// Chooses the device for <paramref name="device"/> (enumerating the machine's devices once), or null with the
    /// reason it cannot be used on this machine in <paramref name="unavailable"/>.
    /// </summary>
    public static DeviceSelection? TrySelect(string device, out string? unavailable)
    {
        try
        {
            var selection = DeviceSelector.Select(DeviceSelector.Parse(device));
            if (selection.Chosen == ComputeDevice.Cpu)
            {
                _ = CpuKernelVariable.Current;
            }
            unavailable = null;
            return selection;
        }
        catch (DeviceUnavailableException e)
        {
            unavailable = e.Message;
            return null;
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
