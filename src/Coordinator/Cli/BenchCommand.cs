using System.CommandLine;
using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Training;
using CnnDistributed.Hosting;
using CnnDistributed.Hosting.Flags;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd bench</c>: trains on the bundled sample for <c>--seconds</c> after a warm-up and prints one JSON line per
/// batch size on stdout, and nothing else: with <c>--workers 0</c> (default) on the engine in this process, with
/// <c>--workers N</c> through a coordinator and N local workers over loopback gRPC, adding per-step timings and bytes
/// on the wire. The cluster benchmarks (coordinator capacity, transport floors, scaling, failover, checkpoint cost)
/// are bench/CnnDistributed.Bench's.
/// </summary>
public static class BenchCommand
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public static Command Create(CliConsole console, TerminationSignals signals)
    {
        var command = new Command(
            "bench",
            "Measure training throughput on the bundled sample (cluster and micro-benchmarks: "
                + "dotnet run -c Release --project bench/CnnDistributed.Bench -- --help)");
        var flags = new FlagSet(command, CommandLineFlags.Bench);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var services = new ServiceCollection();
            services.AddFlagOptions<BenchOptions, BenchOptionsValidator>(flags.ToConfiguration(parseResult));
            await using var provider = services.BuildServiceProvider();
            var options = provider.GetRequiredService<IOptions<BenchOptions>>().Value;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Token);
            return await RunAsync(console, options, stop.Token);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        CliConsole console,
        BenchOptions options,
        CancellationToken cancellationToken)
    {
        var batchSizes = BatchSizes.Parse(options.BatchSize, out _);
        var data = MnistDataset.Load(SampleDataLocator.Find());
        var tooLarge = batchSizes
            .Select(b => OptionChecks.Between("--batch-size", b, 1, data.Train.Count))
            .FirstOrDefault(e => e is not null);
        if (tooLarge is not null)
        {
            throw new UsageException($"{tooLarge}: the sample has {data.Train.Count} training images");
        }
        var threads = options.Threads ?? ThreadBudget.DefaultPerWorker(options.Workers);
        var job = new TrainingOptions { Shards = options.Shards, Scaling = InputScaling.UnitRange };
        using var logging = CoordinatorLogging.Create(console, LogLevel.Warning);
        var run = new RunOptions
        {
            Workers = options.Workers,
            Threads = threads,
            Device = options.Device,
            Insecure = options.Insecure,
        };
        await using var execution = await TrainingExecution.StartAsync(
            job,
            run,
            serve: null,
            serveTls: null,
            configureCoordinator: null,
            logging,
            listening: null,
            cancellationToken);
        foreach (var batchSize in batchSizes)
        {
            var record = await ThroughputMeter.RunAsync(
                "train",
                execution.Executor,
                data.Train,
                batchSize,
                options.Shards,
                threads,
                WarmUp,
                TimeSpan.FromSeconds(options.Seconds),
                cancellationToken);
            console.Out.WriteLine(record.ToJsonLine());
            console.Out.Flush();
        }
        return ExitCodes.Success;
    }
}
