using System.CommandLine;
using CnnDistributed.Bench.Cluster;
using CnnDistributed.Bench.Floor;
using CnnDistributed.Bench.Training;
using CnnDistributed.Coordinator.Cli;
using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace CnnDistributed.Bench;

/// <summary>
/// The verbs of cnnd-bench that measure whole clusters on this machine, each printing one JSON line per measurement
/// (the fields of <c>cnnd bench</c> plus the measurement's own).
/// </summary>
public static class ClusterBenchCommands
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    private const int FailoverTrials = 10;

    /// <summary>
    /// coordinator, coordinator-tcp-floor, tcp-floor, scaling, tls, checks, paired-control, spot-checks, dashboard,
    /// trace, failover and checkpoint.
    /// </summary>
    public static IEnumerable<Command> Create()
    {
        yield return Verb("coordinator", "Coordinator capacity: N workers whose backend answers at once", async (o, ct) =>
        {
            foreach (var batch in o.BatchSizes)
            {
                Print(await CoordinatorCapacityBench.RunAsync(o.Workers, batch, WarmUp, o.Duration, cancellationToken: ct));
            }
        });
        yield return Verb("coordinator-tcp-floor", "Coordinator capacity over raw blocking loopback sockets: the floor of any TCP step path", async (o, ct) =>
        {
            foreach (var batch in o.BatchSizes)
            {
                Print(await CoordinatorCapacityBench.RunFloorAsync(o.Workers, batch, WarmUp, o.Duration, ct));
            }
        });
        yield return Verb("tcp-floor", "Training over raw blocking loopback sockets instead of gRPC", async (o, ct) =>
        {
            var data = MnistDataset.Load(SampleDataLocator.Find());
            await using var floor = new RawTcpStepExecutor(o.Workers, o.Threads, o.Shards);
            foreach (var batch in o.BatchSizes)
            {
                Print(await ThroughputMeter.RunAsync("tcp-floor", floor, data.Train, batch, o.Shards, o.Threads, WarmUp, o.Duration, ct));
            }
        });
        yield return Verb("scaling", "Rounds of in-process, gRPC-worker and floor training, each distributed figure against its round's in-process one", async (o, ct) =>
        {
            var data = MnistDataset.Load(SampleDataLocator.Find());
            var job = new TrainingOptions { Shards = o.Shards };
            await using var inProcess = await StartAsync(job, 0, o.Workers * o.Threads, ct);
            await using var distributed = await StartAsync(job, o.Workers, o.Threads, ct);
            await using var floor = RawTcpStepExecutor.TakesShape(o.Workers, o.Shards) ? new RawTcpStepExecutor(o.Workers, o.Threads, o.Shards) : null;
            await ScalingBench.RunAsync(inProcess.Executor, distributed.Executor, floor, data.Train, o.BatchSizes, o.Workers, o.Threads,
                o.Shards, o.Rounds, WarmUp, o.Duration, Print, ct);
        });
        yield return Verb("tls", "Rounds of training with mutual TLS and with --insecure, TLS as a percentage of plaintext", async (o, ct) =>
        {
            var job = new TrainingOptions { Shards = o.Shards };
            await using var secure = await StartAsync(job, o.Workers, o.Threads, ct);
            await using var plain = await StartAsync(job, o.Workers, o.Threads, ct, insecure: true);
            await PairedAsync(o, "tls", new PairedArm("tls", secure), new PairedArm("insecure", plain), ct);
        });
        yield return Verb("checks", "Rounds of training with the result value checks on and off on one cluster (spot checks off in both)", async (o, ct) =>
        {
            var coordinator = new LiveCoordinatorOptions(c => c.VerifyFraction = 0);
            await using var cluster = await StartAsync(new TrainingOptions { Shards = o.Shards }, o.Workers, o.Threads, ct, coordinator.Configure);
            await PairedAsync(o, "checks",
                new PairedArm("checks", cluster, () => coordinator.Set(c => c.SkipValueChecks = false)),
                new PairedArm("checks-off", cluster, () => coordinator.Set(c => c.SkipValueChecks = true)), ct);
        });
        yield return Verb("paired-control", "The paired benchmarks' own bias: two identical clusters (checks on, spot checks off) in the same rounds", async (o, ct) =>
        {
            var job = new TrainingOptions { Shards = o.Shards };
            await using var first = await StartAsync(job, o.Workers, o.Threads, ct, c => c.VerifyFraction = 0);
            await using var second = await StartAsync(job, o.Workers, o.Threads, ct, c => c.VerifyFraction = 0);
            await PairedAsync(o, "paired-control", new PairedArm("paired-control", first), new PairedArm("identical", second), ct);
        });
        yield return Verb("spot-checks", "Rounds of training with the default --verify-fraction and with 0 on one cluster", async (o, ct) =>
        {
            var defaultFraction = new CoordinatorOptions().VerifyFraction;
            var coordinator = new LiveCoordinatorOptions(_ => { });
            await using var cluster = await StartAsync(new TrainingOptions { Shards = o.Shards }, o.Workers, o.Threads, ct, coordinator.Configure);
            await PairedAsync(o, "spot-checks",
                new PairedArm("spot-checks", cluster, () => coordinator.Set(c => c.VerifyFraction = defaultFraction)),
                new PairedArm("verify-fraction-0", cluster, () => coordinator.Set(c => c.VerifyFraction = 0)), ct);
        });
        foreach (var way in DashboardCostBench.Ways)
        {
            yield return Verb(way, $"Rounds of whole epochs with --{way} on (no client) and off on one cluster", async (o, ct) =>
            {
                WorkerRegistry? registry = null;
                await using var cluster = await TrainingExecution.StartAsync(
                    new TrainingOptions { Shards = o.Shards },
                    new RunOptions { Workers = o.Workers, Threads = o.Threads, Device = "cpu" },
                    serve: null,
                    serveTls: null,
                    configureCoordinator: null,
                    NullLoggerFactory.Instance,
                    listening: workers => registry = workers,
                    ct);
                await DashboardCostBench.RunAsync(way, cluster, () => registry!, MnistDataset.Load(SampleDataLocator.Find()),
                    o.BatchSizes, o.Threads, o.Shards, o.Rounds, o.Duration, Print, ct);
            });
        }
        yield return Verb("failover", "Time from a worker's death to its shards going to the survivor (2 workers)", async (o, ct) =>
        {
            var data = MnistDataset.Load(SampleDataLocator.Find());
            foreach (var batch in o.BatchSizes)
            {
                Print(await FailoverBench.RunAsync(data.Train, batch, o.Shards, o.Threads, FailoverTrials, ct));
            }
        });
        yield return Verb("checkpoint", "Samples/s with a checkpoint every 100 steps against none (the in-process engine)", async (o, ct) =>
        {
            var data = MnistDataset.Load(SampleDataLocator.Find());
            var job = new TrainingOptions { Shards = o.Shards };
            await using var execution = await StartAsync(job, 0, o.Threads, ct);
            foreach (var batch in o.BatchSizes)
            {
                Print(await CheckpointCostBench.RunAsync(execution.Executor, execution.Evaluator, data, batch, o.Shards, o.Threads, o.Duration, ct));
            }
        });
    }

    private static Command Verb(string name, string description, Func<ClusterBenchOptions, CancellationToken, Task> run)
    {
        var workers = new Option<int>("--workers") { Description = "Workers (simulated, gRPC or raw-socket, by verb)", DefaultValueFactory = _ => 2 };
        var threads = new Option<int>("--threads") { Description = "Threads per worker", DefaultValueFactory = _ => 1 };
        var batchSizes = new Option<string>("--batch-size") { Description = "Batch sizes, a comma list", DefaultValueFactory = _ => "64" };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time per batch size, after the warm-up", DefaultValueFactory = _ => 10 };
        var shards = new Option<int>("--shards") { Description = "Shards per minibatch (power of two)", DefaultValueFactory = _ => 8 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of the interleaved scaling comparison", DefaultValueFactory = _ => 3 };
        var command = new Command(name, description) { workers, threads, batchSizes, seconds, shards, rounds };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var sizes = BatchSizes.Parse(parseResult.GetValue(batchSizes) ?? "64", out var invalid);
            if (invalid is not null)
            {
                await Console.Error.WriteLineAsync($"error: {invalid}");
                return 2;
            }
            var options = new ClusterBenchOptions(
                parseResult.GetValue(workers), parseResult.GetValue(threads), sizes, TimeSpan.FromSeconds(parseResult.GetValue(seconds)),
                parseResult.GetValue(shards), parseResult.GetValue(rounds));
            if (options.Check(name) is { } error)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
                return 2;
            }
            try
            {
                await run(options, cancellationToken);
            }
            catch (DataFormatException e)
            {
                // The bench reads the bundled sample relative to the working directory: run it from the repository root.
                await Console.Error.WriteLineAsync($"error: {e.Message} (run cnnd-bench from the repository root)");
                return 2;
            }
            return 0;
        });
        return command;
    }

    /// <summary>Rounds of <paramref name="measured"/> against <paramref name="baseline"/> on the bundled sample.</summary>
    private static Task PairedAsync(ClusterBenchOptions o, string what, PairedArm measured, PairedArm baseline, CancellationToken ct) =>
        PairedCostBench.RunAsync(what, measured, baseline, MnistDataset.Load(SampleDataLocator.Find()).Train,
            o.BatchSizes, o.Threads, o.Shards, o.Rounds, WarmUp, o.Duration, Print, ct);

    /// <summary>
    /// The job on <paramref name="workers"/> local workers, with mutual TLS unless <paramref name="insecure"/> (none: the
    /// engine in this process), the coordinator's options changed by <paramref name="configure"/>.
    /// </summary>
    private static Task<TrainingExecution> StartAsync(
        TrainingOptions job,
        int workers,
        int threads,
        CancellationToken ct,
        Action<CoordinatorOptions>? configure = null,
        bool insecure = false) =>
        TrainingExecution.StartAsync(
            job,
            new RunOptions { Workers = workers, Threads = threads, Device = "cpu", Insecure = insecure },
            serve: null,
            serveTls: null,
            configureCoordinator: configure,
            NullLoggerFactory.Instance,
            listening: null,
            ct);

    private static void Print(BenchRecord record)
    {
        Console.Out.WriteLine(record.ToJsonLine());
        Console.Out.Flush();
    }
}
