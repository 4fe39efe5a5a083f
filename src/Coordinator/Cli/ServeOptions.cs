namespace CnnDistributed.Coordinator.Cli;

/// <summary>What <c>serve</c> adds to <c>train</c>: where to listen and whom to wait for.</summary>
public sealed class ServeOptions
{
    /// <summary>
    /// Listen address (<c>--listen</c>; default https://0.0.0.0:5000, or http://0.0.0.0:5000 with <c>--insecure</c>).
    /// </summary>
    public string? Listen { get; set; }

    /// <summary>
    /// The run's certificate folder (<c>--tls DIR</c>, made by <c>cnnd certs create</c>): the coordinator presents
    /// <c>DIR/coordinator.crt</c> and admits only workers whose client certificate <c>DIR/ca.crt</c> issued. Reloaded
    /// when its files change.
    /// </summary>
    public string? Tls { get; set; }

    /// <summary>Port of the gRPC health service (<c>--health-port</c>, HTTP/2 without TLS; default 0: none).</summary>
    public int HealthPort { get; set; }

    /// <summary>Workers to wait for before training (<c>--expect-workers</c>, default 1).</summary>
    public int ExpectWorkers { get; set; } = 1;

    /// <summary>How long to wait for them (<c>--join-timeout</c>, default 600 s).</summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(600);

    /// <summary>
    /// Port of the Prometheus <c>/metrics</c> endpoint, plain HTTP/1.1 (<c>--metrics-port</c>, default 9090; 0: none).
    /// </summary>
    public int MetricsPort { get; set; } = 9090;

    /// <summary>
    /// A finished run's <c>--out</c> folder to show on the dashboard instead of training (<c>--run DIR</c>, with
    /// <c>--dashboard</c>); serves until stopped.
    /// </summary>
    public string? Run { get; set; }
}
