using System.CommandLine;
using CnnDistributed.Coordinator.Benchmarks;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd bench</c>: one JSON line per measurement on stdout and nothing else.
/// <c>--what train</c> (default) trains on the bundled sample for <c>--seconds</c> after a warm-up: with <c>--workers 0</c>
/// (default) on the engine in this process, with <c>--workers N</c> through a coordinator and N local workers over
/// loopback gRPC, adding per-step timings and bytes on the wire. <c>--what coordinator</c> measures the coordinator
/// alone against <c>--workers</c> simulated workers that answer with a precomputed gradient. <c>--what tcp-floor</c> trains
/// like <c>--workers N</c> but over raw blocking loopback sockets, and <c>--what coordinator-tcp-floor</c> measures capacity
/// that way: the floors the gRPC step path is measured against. <c>--what scaling</c> interleaves in-process, distributed and
/// floor training in rounds and reports the distributed figure against the in-process one of its round (goal (a)).
/// </summary>
public static class BenchCommand
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    private const int FailoverTrials = 10;

    public static Command Create(CliConsole console, TerminationSignals signals)
    {
        var what = new Option<string>("--what") { Description = "train, coordinator, failover, checkpoint, tcp-floor, coordinator-tcp-floor or scaling", DefaultValueFactory = _ => "train" };
        var threads = new Option<int?>("--threads") { Description = "Threads per worker (of the in-process engine with --workers 0) [cores / workers]" };
        var batchSizes = new Option<string[]>("--batch-size") { Description = "Batch size; repeat or give a comma list for several measurements", DefaultValueFactory = _ => ["64"] };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time per batch size, after the warm-up", DefaultValueFactory = _ => 10 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or opencl", DefaultValueFactory = _ => DeviceChoice.Auto };
        var workers = new Option<int>("--workers") { Description = "0: the engine in this process; N: N local workers over loopback gRPC (N simulated workers with --what coordinator, N raw-socket worker threads with the tcp-floor measurements)", DefaultValueFactory = _ => 0 };
        var shards = new Option<int>("--shards") { Description = "Shards per minibatch (power of two)", DefaultValueFactory = _ => 8 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of the interleaved --what scaling comparison", DefaultValueFactory = _ => 3 };
        var command = new Command("bench", "Measure training throughput or coordinator capacity") { what, threads, batchSizes, seconds, device, workers, shards, rounds };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var workerCount = parseResult.GetValue(workers);
            var options = new BenchCommandOptions
            {
                What = parseResult.GetValue(what) ?? "train",
                BatchSizeTexts = parseResult.GetValue(batchSizes) ?? [],
                Threads = parseResult.GetValue(threads) ?? ThreadBudget.DefaultPerWorker(workerCount),
                Workers = workerCount,
                Seconds = parseResult.GetValue(seconds),
                Device = parseResult.GetValue(device) ?? DeviceChoice.Auto,
                Shards = parseResult.GetValue(shards),
                Rounds = parseResult.GetValue(rounds),
            };
            return RunAsync(console, options, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Token).Token);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, BenchCommandOptions options, CancellationToken cancellationToken)
    {
        var error = options.Validate();
        if (error is not null)
        {
            throw new UsageException(error);
        }
        var duration = TimeSpan.FromSeconds(options.Seconds);
        if (options.What is "coordinator" or "coordinator-tcp-floor")
        {
            foreach (var batchSize in options.BatchSizes())
            {
                Print(console, options.What == "coordinator"
                    ? await CoordinatorCapacityBench.RunAsync(options.Workers, batchSize, WarmUp, duration, cancellationToken: cancellationToken)
                    : await CoordinatorCapacityBench.RunFloorAsync(options.Workers, batchSize, WarmUp, duration, cancellationToken));
            }
            return ExitCodes.Success;
        }
        var data = MnistDataset.Load(SampleDataLocator.Find());
        var tooLarge = options.BatchSizes().Select(b => OptionChecks.Between("--batch-size", b, 1, data.Train.Count)).FirstOrDefault(e => e is not null);
        if (tooLarge is not null)
        {
            throw new UsageException($"{tooLarge}: the sample has {data.Train.Count} training images");
        }
        if (options.What == "failover")
        {
            foreach (var batchSize in options.BatchSizes())
            {
                Print(console, await FailoverBench.RunAsync(data.Train, batchSize, options.Shards, options.Threads, FailoverTrials, cancellationToken));
            }
            return ExitCodes.Success;
        }
        if (options.What == "tcp-floor")
        {
            await using var floor = new RawTcpStepExecutor(options.Workers, options.Threads, options.Shards);
            foreach (var batchSize in options.BatchSizes())
            {
                Print(console, await ExecutorThroughputBench.RunAsync("tcp-floor", floor, data.Train, batchSize, options.Shards, options.Threads, WarmUp, duration, cancellationToken));
            }
            return ExitCodes.Success;
        }
        using var logging = CoordinatorLogging.Create(console, LogLevel.Warning);
        if (options.What == "scaling")
        {
            await RunScalingAsync(console, options, data, logging, duration, cancellationToken);
            return ExitCodes.Success;
        }
        var job = new JobShape(options.Workers, options.Threads, options.Shards, InputScaling.UnitRange, options.Device);
        await using var execution = await TrainingExecution.StartAsync(job, null, logging, cancellationToken);
        foreach (var batchSize in options.BatchSizes())
        {
            Print(console, options.What == "checkpoint"
                ? await CheckpointCostBench.RunAsync(execution.Executor, execution.Evaluator, data, batchSize, options.Shards, options.Threads, duration, cancellationToken)
                : await ExecutorThroughputBench.RunAsync("train", execution.Executor, data.Train, batchSize, options.Shards, options.Threads, WarmUp, duration, cancellationToken));
        }
        return ExitCodes.Success;
    }

    private static async Task RunScalingAsync(CliConsole console, BenchCommandOptions options, MnistDataset data, ILoggerFactory logging, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var inProcess = await TrainingExecution.StartAsync(new JobShape(0, options.Workers * options.Threads, options.Shards, InputScaling.UnitRange, options.Device), null, logging, cancellationToken);
        await using var distributed = await TrainingExecution.StartAsync(new JobShape(options.Workers, options.Threads, options.Shards, InputScaling.UnitRange, options.Device), null, logging, cancellationToken);
        // The floor runs the CPU kernels and gives each worker one aligned tree node; other jobs are measured without it.
        var floorFits = distributed.Executor.DeviceKind.StartsWith("cpu-", StringComparison.Ordinal) && RawTcpStepExecutor.TakesShape(options.Workers, options.Shards);
        await using var floor = floorFits ? new RawTcpStepExecutor(options.Workers, options.Threads, options.Shards) : null;
        await ScalingBench.RunAsync(inProcess.Executor, distributed.Executor, floor, data.Train, options.BatchSizes(), options.Workers, options.Threads,
            options.Shards, options.Rounds, WarmUp, duration, record => Print(console, record), cancellationToken);
    }

    private static void Print(CliConsole console, BenchRecord record)
    {
        console.Out.WriteLine(record.ToJsonLine());
        console.Out.Flush();
    }
}
