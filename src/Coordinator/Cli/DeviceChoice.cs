using CnnDistributed.Worker.Runtime.Backends;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>The <c>--device</c> values; which of them exist on this machine is decided when the job starts.</summary>
public static class DeviceChoice
{
    public const string Auto = "auto";

    public static IReadOnlyList<string> Names => WorkerBackendFactory.SupportedDevices;
}
