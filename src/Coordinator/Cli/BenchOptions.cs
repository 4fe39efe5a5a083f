namespace CnnDistributed.Coordinator.Cli;

/// <summary>The options of <c>bench</c>: which training throughput to measure and for how long.</summary>
public sealed class BenchOptions
{
    /// <summary>
    /// What to measure (<c>--what</c>): only <c>train</c>; the cluster benchmarks are bench/CnnDistributed.Bench's.
    /// </summary>
    public string What { get; set; } = "train";

    /// <summary>
    /// Batch sizes, one measurement each (<c>--batch-size</c>, repeated or a comma list; default 64).
    /// </summary>
    public string BatchSize { get; set; } = "64";

    /// <summary>Measuring time per batch size after the warm-up, in seconds (<c>--seconds</c>, default 10).</summary>
    public double Seconds { get; set; } = 10;

    /// <summary>
    /// 0: the engine in this process (default); N: N local workers over loopback gRPC (<c>--workers</c>).
    /// </summary>
    public int Workers { get; set; }

    /// <summary>Threads per worker (<c>--threads</c>; default: the cores shared among the workers).</summary>
    public int? Threads { get; set; }

    /// <summary>Compute device (<c>--device</c>, default auto).</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Local workers talk plaintext HTTP/2 instead of mutual TLS (<c>--insecure</c>).</summary>
    public bool Insecure { get; set; }

    /// <summary>Shards per minibatch, a power of two (<c>--shards</c>, default 8).</summary>
    public int Shards { get; set; } = 8;
}
