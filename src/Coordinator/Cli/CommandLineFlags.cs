using CnnDistributed.Coordinator.Dashboard;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Core.Training;
using CnnDistributed.Hosting.Flags;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// Every flag of <c>cnnd</c> and the option property it sets: the one table that maps the command line (and the
/// <c>CNND_*</c> environment variables named like the flags) onto the options classes, which hold the documented
/// defaults. docs/commands.md lists the same flags for users.
/// </summary>
public static class CommandLineFlags
{
    /// <summary><c>--batch-size</c> of <c>train</c> and <c>serve</c>.</summary>
    public static Flag<TrainingOptions, int> BatchSize { get; } =
        new("--batch-size", o => o.BatchSize, "Samples per optimizer step");

    /// <summary><c>--worker-wait-timeout</c>: how long a step waits for a worker when none is left.</summary>
    public static Flag<CoordinatorOptions, TimeSpan> WorkerWaitTimeout { get; } = new(
        "--worker-wait-timeout",
        o => o.WorkerWaitTimeout,
        "Seconds a step waits for a worker to join when none is left",
        FlagParsers.Seconds("--worker-wait-timeout"));

    /// <summary>The flags of <c>train</c>, in the order summary.json records them.</summary>
    public static IReadOnlyList<Flag> Train { get; } =
    [
        new Flag<RunOptions, string?>(
            "--data",
            o => o.Data,
            "Folder with the four MNIST-format IDX files (raw or .gz)",
            defaultText: "bundled data/mnist-sample"),
        new Flag<TrainingOptions, int>("--epochs", o => o.Epochs, "Passes over the training set"),
        BatchSize,
        new Flag<TrainingOptions, float>("--lr", o => o.LearningRate, "Learning rate"),
        new Flag<TrainingOptions, float>("--momentum", o => o.Momentum, "SGD momentum in [0, 1)"),
        new Flag<TrainingOptions, bool>("--nesterov", o => o.Nesterov, "Nesterov momentum"),
        new Flag<TrainingOptions, float>("--weight-decay", o => o.WeightDecay, "L2 weight decay"),
        new Flag<TrainingOptions, LearningRateScheduleKind>(
            "--lr-schedule",
            o => o.Schedule,
            "constant, step or cosine",
            FlagParsers.OneOf<LearningRateScheduleKind>("--lr-schedule")),
        new Flag<TrainingOptions, int>(
            "--lr-step-epochs", o => o.LearningRateStepEpochs, "Step schedule: epochs between decays"),
        new Flag<TrainingOptions, float>("--lr-gamma", o => o.LearningRateDecay, "Step schedule: factor per decay"),
        new Flag<TrainingOptions, int>("--warmup-steps", o => o.WarmupSteps, "Linear learning-rate warm-up steps"),
        new Flag<TrainingOptions, ulong>("--seed", o => o.Seed, "Seed of the initial weights and data order"),
        new Flag<RunOptions, int>(
            "--workers", o => o.Workers, "Local workers over loopback gRPC (0: the engine in this process, no gRPC)"),
        new Flag<RunOptions, int?>("--threads", o => o.Threads, "Threads per worker", defaultText: "cores / workers"),
        new Flag<RunOptions, string>("--device", o => o.Device, "auto, cpu, cuda or opencl"),
        new Flag<TrainingOptions, long?>("--max-steps", o => o.MaxSteps, "Stop after this many optimizer steps"),
        new Flag<TrainingOptions, bool>("--no-shuffle", o => o.NoShuffle, "Visit the training samples in file order"),
        new Flag<TrainingOptions, bool>(
            "--normalize", o => o.Normalize, "Inputs (x/255 - 0.1307)/0.3081 instead of x/255"),
        new Flag<RunOptions, string?>(
            "--init-weights", o => o.InitWeights, "Start from these weights (.safetensors) instead of the seeded init"),
        new Flag<RunOptions, string?>("--out", o => o.Out, "Output folder", defaultText: "runs/<utc-timestamp>"),
        new Flag<RunOptions, bool>(
            "--overwrite", o => o.Overwrite, "Replace the run an existing --out folder holds (not with --resume)"),
        new Flag<RunOptions, bool>("--quiet", o => o.Quiet, "Print only errors and the final result"),
        new Flag<RunOptions, bool>("--json", o => o.Json, "Progress as JSON lines"),
        new Flag<TrainingOptions, int>(
            "--shards", o => o.Shards, "Shards per minibatch (power of two); part of the result's identity"),
        new Flag<RunOptions, int>(
            "--checkpoint-every",
            o => o.CheckpointEvery,
            "Steps between checkpoints in --out (0: only at the end and when stopped)"),
        new Flag<RunOptions, string?>(
            "--resume",
            o => o.Resume,
            "Continue the job whose --out folder (with checkpoint.bin) this is; outputs continue there"),
        WorkerWaitTimeout,
        new Flag<CoordinatorOptions, double>(
            "--verify-fraction",
            o => o.VerifyFraction,
            "Fraction of results a second worker recomputes and compares bit for bit (0: off)"),
        new Flag<CoordinatorOptions, double>(
            "--max-norm-ratio",
            o => o.MaxNormRatio,
            "A gradient norm above this many times the recent median is recomputed by another worker"),
        new Flag<RunOptions, bool>(
            "--insecure", o => o.Insecure, "Plaintext HTTP/2 without authentication instead of mutual TLS"),
        new Flag<RunOptions, int?>(
            "--dashboard",
            o => o.Dashboard,
            "Serve the live dashboard on this port (0: a free one; the URL is printed); no value: "
            + DashboardEndpoint.DefaultPort,
            FlagParsers.OptionalValue("--dashboard", DashboardEndpoint.DefaultPort),
            defaultText: "off",
            valueOptional: true),
        new Flag<RunOptions, bool>(
            "--plot", o => o.Plot, "Draw loss, accuracy and throughput into --out at the end (PNG and SVG)"),
        new Flag<RunOptions, string?>(
            "--trace", o => o.Trace, "Write the step timeline to this file (Chrome trace-event JSON, for Perfetto)"),
        new Flag<RunOptions, int>("--trace-steps", o => o.TraceSteps, "Steps the timeline records after the warm-up"),
        new Flag<RunOptions, string>(
            "--dashboard-listen",
            o => o.DashboardListen,
            "Address the dashboard listens on (0.0.0.0: every interface)"),
    ];

    /// <summary>The flags <c>serve</c> adds to <see cref="Train"/>.</summary>
    public static IReadOnlyList<Flag> Serve { get; } =
    [
        new Flag<ServeOptions, string?>(
            "--listen",
            o => o.Listen,
            "Address to listen on",
            defaultText: "https://0.0.0.0:5000; http:// with --insecure"),
        new Flag<ServeOptions, string?>(
            "--tls", o => o.Tls, "The run's certificate folder (cnnd certs create): mutual TLS with the workers"),
        new Flag<ServeOptions, int>(
            "--health-port", o => o.HealthPort, "Port of the gRPC health service, HTTP/2 without TLS (0: none)"),
        new Flag<CoordinatorOptions, int>("--max-workers", o => o.MaxWorkers, "The most workers registered at once"),
        new Flag<CoordinatorOptions, string?>(
            "--device-kind",
            o => o.DeviceKind,
            "The device kind every worker must have, e.g. cpu-avx512",
            defaultText: "the kind most workers share at the first step"),
        new Flag<ServeOptions, int>("--expect-workers", o => o.ExpectWorkers, "Workers to wait for before training"),
        new Flag<ServeOptions, TimeSpan>(
            "--join-timeout", o => o.JoinTimeout, "Seconds to wait for them", FlagParsers.Seconds("--join-timeout")),
        new Flag<ServeOptions, int>(
            "--metrics-port", o => o.MetricsPort, "Port of the Prometheus /metrics endpoint, HTTP/1.1 (0: none)"),
        new Flag<ServeOptions, string?>(
            "--run", o => o.Run, "Show this finished run's --out folder on the --dashboard instead of training"),
    ];

    /// <summary>The flags of <c>bench</c>.</summary>
    public static IReadOnlyList<Flag> Bench { get; } =
    [
        new Flag<BenchOptions, string>(
            "--what", o => o.What, "train (the cluster benchmarks are bench/CnnDistributed.Bench's)"),
        new Flag<BenchOptions, int?>(
            "--threads",
            o => o.Threads,
            "Threads per worker (of the in-process engine with --workers 0)",
            defaultText: "cores / workers"),
        new Flag<BenchOptions, string>(
            "--batch-size", o => o.BatchSize, "Batch sizes, a comma list: one measurement each"),
        new Flag<BenchOptions, double>("--seconds", o => o.Seconds, "Measuring time per batch size, after the warm-up"),
        new Flag<BenchOptions, string>("--device", o => o.Device, "auto, cpu, cuda or opencl"),
        new Flag<BenchOptions, int>(
            "--workers", o => o.Workers, "0: the engine in this process; N: N local workers over loopback gRPC"),
        new Flag<BenchOptions, int>("--shards", o => o.Shards, "Shards per minibatch (power of two)"),
        new Flag<BenchOptions, bool>(
            "--insecure", o => o.Insecure, "Local workers over plaintext HTTP/2 instead of mutual TLS"),
    ];
}
