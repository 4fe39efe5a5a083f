using CnnDistributed.Protocol;

namespace CnnDistributed.Worker.Runtime;

/// <summary>
/// How a worker finds its coordinator and what it offers it. The worker executable binds it from its flags and the
/// <c>CNND_*</c> variables named like them (src/Worker/Hosting/WorkerFlags.cs); <c>cnnd train</c> sets it for the
/// workers it runs in its own process.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>
    /// The coordinator's URL (<c>--coordinator</c>, required): https:// with <see cref="Tls"/>, or http:// with
    /// <see cref="Insecure"/>.
    /// </summary>
    public string Coordinator { get; set; } = "";

    /// <summary>
    /// The run's certificate folder (<c>--tls DIR</c>, made by <c>cnnd certs create</c>): the worker presents
    /// <c>DIR/</c><see cref="TlsName"/><c>.crt</c> and trusts only coordinators whose certificate <c>DIR/ca.crt</c>
    /// issued.
    /// </summary>
    public string? Tls { get; set; }

    /// <summary>Which client certificate of <see cref="Tls"/> to present (<c>--tls-name</c>, default worker).</summary>
    public string TlsName { get; set; } = "worker";

    /// <summary>Plaintext HTTP/2 without authentication (<c>--insecure</c>); must be asked for by name.</summary>
    public bool Insecure { get; set; }

    /// <summary>Compute device (<c>--device</c>, default <c>auto</c>): auto, cpu, cuda or opencl.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Compute threads (<c>--threads</c>, default all cores).</summary>
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// The name the coordinator logs for this worker (<c>--name</c>, default host name and process id).
    /// </summary>
    public string Name { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// Port of the gRPC health service (<c>--health-port</c>, grpc.health.v1 over HTTP/2 without TLS); 0 (the
    /// default) serves none.
    /// </summary>
    public int HealthPort { get; set; }

    /// <summary>
    /// Registration attempts before giving up (<c>--connect-attempts</c>, default 8, about 20 s in all).
    /// </summary>
    public int ConnectAttempts { get; set; } = 8;

    /// <summary>
    /// After losing the coordinator mid-job (its process died, the network failed, or it dropped this worker), how long
    /// the worker keeps trying to rejoin, in seconds (<c>--reconnect-timeout</c>, default 120; 0: exit at once with
    /// code 1).
    /// </summary>
    public double ReconnectTimeoutSeconds { get; set; } = 120;

    /// <summary>Interval of HTTP/2 pings to the coordinator (default 1 s).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A coordinator that does not answer a ping within this time is treated as lost (default 2 s).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wait after the first failed attempt (default 0.25 s); it doubles after each further failure.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between attempts (default 5 s).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The ceiling on any message sent or accepted (default 64 MiB). The work stream accepts less when the job says so:
    /// twice the largest assignment it can send (docs/security.md, "Limits").
    /// </summary>
    public int MaxMessageBytes { get; set; } = ProtocolLimits.DefaultMaxMessageBytes;
}
