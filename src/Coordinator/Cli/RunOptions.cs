namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// How <c>train</c> and <c>serve</c> run a job, as opposed to what decides its result (<see
/// cref="Core.Training.TrainingOptions"/>): where data and outputs are, who computes, and what is printed. Bound from
/// the flags of <see cref="CommandLineFlags"/>; defaults that depend on the machine or on other values are resolved at
/// start (<see cref="Resolve"/>).
/// </summary>
public sealed class RunOptions
{
    /// <summary>
    /// Folder with the four MNIST-format files (<c>--data</c>; default: the bundled data/mnist-sample).
    /// </summary>
    public string? Data { get; set; }

    /// <summary>
    /// Output folder (<c>--out</c>; default runs/&lt;utc-timestamp&gt;, or the <c>--resume</c> folder).
    /// </summary>
    public string? Out { get; set; }

    /// <summary>
    /// Replace the run an existing <c>--out</c> folder holds (<c>--overwrite</c>); without it such a folder is refused
    /// unless <c>--resume</c> continues it.
    /// </summary>
    public bool Overwrite { get; set; }

    /// <summary>
    /// Start from these weights instead of the seeded initialisation (<c>--init-weights</c>, .safetensors).
    /// </summary>
    public string? InitWeights { get; set; }

    /// <summary>An earlier <c>--out</c> folder with checkpoint.bin to continue (<c>--resume</c>).</summary>
    public string? Resume { get; set; }

    /// <summary>
    /// Steps between checkpoints (<c>--checkpoint-every</c>, default 500; 0: only at the end and when stopped).
    /// </summary>
    public int CheckpointEvery { get; set; } = 500;

    /// <summary>
    /// Local workers over loopback gRPC (<c>--workers</c>, default 2; 0: the engine in this process).
    /// </summary>
    public int Workers { get; set; } = 2;

    /// <summary>Compute threads per worker (<c>--threads</c>; default: the cores shared among the workers).</summary>
    public int? Threads { get; set; }

    /// <summary>Compute device (<c>--device</c>, default auto): auto, cpu, cuda or opencl.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>
    /// Plaintext HTTP/2 without authentication between coordinator and workers (<c>--insecure</c>), instead of mutual
    /// TLS; must be asked for by name.
    /// </summary>
    public bool Insecure { get; set; }

    /// <summary>
    /// Port of the run's dashboard (<c>--dashboard[=PORT]</c>; default: none; without a value
    /// <see cref="Dashboard.DashboardEndpoint.DefaultPort"/>; 0: a free port). Its URL is printed at start.
    /// </summary>
    public int? Dashboard { get; set; }

    /// <summary>
    /// Address the dashboard listens on (<c>--dashboard-listen</c>, default 127.0.0.1: this machine only).
    /// </summary>
    public string DashboardListen { get; set; } = "127.0.0.1";

    /// <summary>
    /// Where to write the step timeline, Chrome trace-event JSON (<c>--trace FILE</c>; default: none). Needs workers.
    /// </summary>
    public string? Trace { get; set; }

    /// <summary>Steps the timeline records after the warm-up (<c>--trace-steps</c>, default 200).</summary>
    public int TraceSteps { get; set; } = 200;

    /// <summary>
    /// Draw the run's curves into <c>--out</c> at the end (<c>--plot</c>): loss, accuracy and throughput, PNG and SVG.
    /// </summary>
    public bool Plot { get; set; }

    /// <summary>Print only errors and the final result (<c>--quiet</c>).</summary>
    public bool Quiet { get; set; }

    /// <summary>Progress as JSON lines (<c>--json</c>).</summary>
    public bool Json { get; set; }

    /// <summary>Fills in the defaults that depend on the machine or on other options.</summary>
    public void Resolve(TimeProvider clock)
    {
        Data ??= SampleDataLocator.Find();
        Threads ??= ThreadBudget.DefaultPerWorker(Workers);
        Out ??= Resume ?? FreshRunFolder(clock);
    }

    /// <summary>runs/&lt;utc-timestamp&gt;, with -2, -3, … appended while a job of the same second has it.</summary>
    private static string FreshRunFolder(TimeProvider clock)
    {
        var stamp = Path.Combine(
            "runs", clock.GetUtcNow().ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        var folder = stamp;
        for (var suffix = 2; Path.Exists(folder); suffix++)
        {
            folder = $"{stamp}-{suffix}";
        }
        return folder;
    }
}
