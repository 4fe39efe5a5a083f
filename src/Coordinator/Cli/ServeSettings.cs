namespace CnnDistributed.Coordinator.Cli;

/// <summary>The flags <c>serve</c> adds to <c>train</c>'s: where to listen and whom to wait for.</summary>
public sealed record ServeSettings
{
    /// <summary>Listen address (<c>--listen</c>, default http://0.0.0.0:5000).</summary>
    public required string Listen { get; init; }

    /// <summary>Workers to wait for before training (<c>--expect-workers</c>, default 1).</summary>
    public required int ExpectWorkers { get; init; }

    /// <summary>How long to wait for them, in seconds (<c>--join-timeout</c>, default 600).</summary>
    public required double JoinTimeoutSeconds { get; init; }

    /// <summary>Port of the Prometheus <c>/metrics</c> endpoint, plain HTTP/1.1 (<c>--metrics-port</c>, default 9090; 0: none).</summary>
    public required int MetricsPort { get; init; }

    public string? Validate() =>
        OptionChecks.AtLeast("--expect-workers", ExpectWorkers, 1)
        ?? OptionChecks.Positive("--join-timeout", JoinTimeoutSeconds)
        ?? OptionChecks.Between("--metrics-port", MetricsPort, 0, 65535);
}
