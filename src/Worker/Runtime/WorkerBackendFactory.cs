using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;

namespace CnnDistributed.Worker.Runtime;

/// <summary>The backends a worker executable can run: the CPU engine for <c>--device auto|cpu</c>.</summary>
public sealed class WorkerBackendFactory(string device, int threads) : IWorkerBackendFactory
{
    public static IReadOnlyList<string> SupportedDevices { get; } = ["auto", "cpu"];

    private readonly Lazy<string> _deviceKind = new(() =>
    {
        using var probe = new CpuBackend(threads, InputScaling.UnitRange);
        return probe.DeviceKind;
    });

    public static bool IsSupported(string device) => SupportedDevices.Contains(device, StringComparer.OrdinalIgnoreCase);

    public string DeviceKind => IsSupported(device)
        ? _deviceKind.Value
        : throw new NotSupportedException($"device '{device}' is not available on this worker");

    public IComputeBackend Create(InputScaling scaling) => new CpuBackend(threads, scaling);
}
