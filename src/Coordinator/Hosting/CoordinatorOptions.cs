using CnnDistributed.Coordinator.Steps;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>
/// Settings of the cluster coordinator, validated at start by <see cref="CoordinatorOptionsValidator"/>.
/// </summary>
public sealed class CoordinatorOptions
{
    /// <summary>
    /// The device kind every worker must have (<c>--device-kind</c>, e.g. <c>cpu-avx512</c>; default none: the kind
    /// most workers connected at the first step share). Workers of another kind are refused.
    /// </summary>
    public string? DeviceKind { get; set; }

    /// <summary>
    /// The longest wait for one worker's result (default 30 s): the deadline of a worker whose speed is not yet
    /// measured (its first assignment includes its warm-up) and the cap of every other deadline
    /// (<see cref="ResultDeadline"/>).
    /// </summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The shortest deadline for a measured worker's result (default 1 s): below it, jitter would drop healthy workers.
    /// </summary>
    public TimeSpan ResultDeadlineFloor { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A measured worker's deadline is this many times the compute time its speed predicts (default 4).
    /// </summary>
    public double ResultDeadlineFactor { get; set; } = 4;

    /// <summary>Interval of HTTP/2 pings on idle worker connections (default 1 s, Kestrel's minimum).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A connection whose ping is not answered within this time is closed and its worker lost (default 1 s).
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// With no worker left, how long a step waits for one to join before the job fails (default 120 s,
    /// <c>--worker-wait-timeout</c>).
    /// </summary>
    public TimeSpan WorkerWaitTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The most shards one worker gets in a round, as a multiple of its fair share (shards / workers), rounded up
    /// (default 2, at least 1; docs/security.md, "Hostile workers"): however fast a worker answers, it never holds most
    /// of a step's data and gradient while others could take part.
    /// </summary>
    public double MaxShareFactor { get; set; } = 2;

    /// <summary>
    /// The largest L2 norm of one sample's gradient a result may imply (default 10,000, at least 1): a node of n
    /// samples is refused when its gradient's norm is above n times this (docs/security.md, "Hostile workers"). A
    /// healthy run's gradients stay orders of magnitude below; a result above it would overflow the weights.
    /// </summary>
    public double MaxSampleGradientNorm { get; set; } = 10_000;

    /// <summary>
    /// The relative norm bound (<c>--max-norm-ratio</c>, default 10, more than 1): a node whose gradient norm per
    /// sample is above this many times the median of the recent accepted nodes' is held as an outlier and recomputed by
    /// another worker; the same bits from it make it an honest outlier, accepted (docs/security.md, "Hostile workers").
    /// </summary>
    public double MaxNormRatio { get; set; } = 10;

    /// <summary>
    /// The fraction of accepted nodes also computed by a second worker and compared bit for bit
    /// (<c>--verify-fraction</c>, default 0.01, 0 turns spot checks off, at most 1), picked by a hash of the seed, the
    /// step and the node.
    /// </summary>
    public double VerifyFraction { get; set; } = 0.01;

    /// <summary>
    /// A worker whose results are refused for their values (NaN, infinity, a norm out of bounds) this many times in a
    /// row is dropped (default 3, at least 1); until then each refused result is recomputed by others. A result that
    /// breaks the protocol, or contradicts two other workers in a spot check, drops its worker at once.
    /// </summary>
    public int MaxRefusalsInARow { get; set; } = 3;

    /// <summary>
    /// Benchmarks only (not a flag, internal): skips the value checks of every result (finite values, both norm bounds)
    /// so that <c>cnnd-bench checks</c> can measure what they cost in the same run.
    /// </summary>
    internal bool SkipValueChecks { get; set; }

    /// <summary>How long ending the job waits for workers to close their streams (default 5 s).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most workers registered at once (<c>--max-workers</c>, default 1024); a registration over it is refused,
    /// and one whose connection closed no longer counts.
    /// </summary>
    public int MaxWorkers { get; set; } = 1024;

    /// <summary>The most connections Kestrel keeps open at once (default 2048).</summary>
    public long MaxConnections { get; set; } = 2048;

    /// <summary>The most concurrent HTTP/2 streams of one connection (default 8; a worker needs 2).</summary>
    public int MaxStreamsPerConnection { get; set; } = 8;

    /// <summary>How long a new connection may take to complete its TLS handshake (default 10 s).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The slowest a worker's stream may deliver bytes the coordinator waits for (default 240 bytes a second, after a
    /// grace period of <see cref="DataRateGracePeriod"/>): a stream that trickles is cut.
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>
    /// How long a stream may run below <see cref="MinRequestBodyBytesPerSecond"/> (default 5 s; more than 1 s,
    /// Kestrel's minimum).
    /// </summary>
    public TimeSpan DataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);
}
