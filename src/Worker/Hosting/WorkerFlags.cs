using CnnDistributed.Hosting.Flags;
using CnnDistributed.Worker.Runtime;

namespace CnnDistributed.Worker.Hosting;

/// <summary>
/// Every flag of <c>cnnd-worker</c> and the <see cref="WorkerOptions"/> property it sets; each is also read from the
/// <c>CNND_*</c> variable named like it (<see cref="EnvironmentArguments"/>).
/// </summary>
public static class WorkerFlags
{
    /// <summary>The table, in the order <c>--help</c> lists it.</summary>
    public static IReadOnlyList<Flag> All { get; } =
    [
        new Flag<WorkerOptions, string>(
            "--coordinator", o => o.Coordinator, "The coordinator's URL, e.g. https://10.0.0.1:5000 (required)"),
        new Flag<WorkerOptions, string?>(
            "--tls", o => o.Tls, "The run's certificate folder (cnnd certs create): mutual TLS with the coordinator"),
        new Flag<WorkerOptions, string>("--tls-name", o => o.TlsName, "Which client certificate of --tls to present"),
        new Flag<WorkerOptions, bool>(
            "--insecure", o => o.Insecure, "Plaintext HTTP/2 with no authentication (an http:// coordinator)"),
        new Flag<WorkerOptions, string>("--device", o => o.Device, "auto, cpu, cuda or opencl"),
        new Flag<WorkerOptions, int>("--threads", o => o.Threads, "Compute threads", defaultText: "all cores"),
        new Flag<WorkerOptions, string>(
            "--name",
            o => o.Name,
            "The name the coordinator logs for this worker",
            defaultText: "host name and process id"),
        new Flag<WorkerOptions, int>("--health-port", o => o.HealthPort, "Port of the gRPC health service (0: none)"),
        new Flag<WorkerOptions, int>(
            "--connect-attempts", o => o.ConnectAttempts, "Registration attempts before giving up"),
        new Flag<WorkerOptions, double>(
            "--reconnect-timeout",
            o => o.ReconnectTimeoutSeconds,
            "Seconds to keep trying to rejoin a lost coordinator (0: exit at once)"),
    ];
}
