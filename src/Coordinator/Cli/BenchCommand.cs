using System.CommandLine;
using System.Text.Json;
using CnnDistributed.Coordinator.Bench;
using CnnDistributed.Coordinator.Training;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd bench</c>: training throughput on the bundled sample, one JSON line per batch size on stdout and nothing else.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliConsole console)
    {
        var threads = new Option<int?>("--threads") { Description = "Threads per worker [cores / workers]" };
        var batchSizes = new Option<string[]>("--batch-size") { Description = "Batch size; repeat or give a comma list for several measurements", DefaultValueFactory = _ => ["64"] };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time per batch size, after the warm-up", DefaultValueFactory = _ => 10 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or opencl", DefaultValueFactory = _ => DeviceChoice.Auto };
        var workers = new Option<int>("--workers") { Description = "Workers (in-process: sets the thread budget)", DefaultValueFactory = _ => 1 };
        var shards = new Option<int>("--shards") { Description = "Shards per minibatch (power of two)", DefaultValueFactory = _ => 8 };
        var command = new Command("bench", "Measure training throughput on the bundled sample") { threads, batchSizes, seconds, device, workers, shards };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var workerCount = parseResult.GetValue(workers);
            var options = new BenchCommandOptions
            {
                BatchSizeTexts = parseResult.GetValue(batchSizes) ?? [],
                Threads = parseResult.GetValue(threads) ?? ThreadBudget.DefaultPerWorker(workerCount),
                Workers = workerCount,
                Seconds = parseResult.GetValue(seconds),
                Device = parseResult.GetValue(device) ?? DeviceChoice.Auto,
                Shards = parseResult.GetValue(shards),
            };
            return RunAsync(console, options, cancellationToken);
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
        DeviceChoice.RequireAvailable(options.Device);
        var data = MnistDataset.Load(SampleDataLocator.Find());
        var tooLarge = options.BatchSizes().Select(b => OptionChecks.Between("--batch-size", b, 1, data.Train.Count)).FirstOrDefault(e => e is not null);
        if (tooLarge is not null)
        {
            throw new UsageException($"{tooLarge}: the sample has {data.Train.Count} training images");
        }
        using var backend = new CpuBackend(ThreadBudget.InProcess(options.Threads, options.Workers), InputScaling.UnitRange);
        await using var executor = new LocalStepExecutor(backend, options.Shards);
        var benchmark = new TrainingBenchmark(data.Train, executor, options.Shards);
        foreach (var batchSize in options.BatchSizes())
        {
            var (steps, samples, elapsed) = await benchmark.MeasureAsync(batchSize, TimeSpan.FromSeconds(options.Seconds), cancellationToken);
            var measurement = new BenchMeasurement("train", executor.DeviceKind, options.Threads, options.Workers, batchSize, samples / elapsed.TotalSeconds, steps, elapsed.TotalSeconds);
            console.Out.WriteLine(JsonSerializer.Serialize(measurement, JsonFormats.Line));
            console.Out.Flush();
        }
        return ExitCodes.Success;
    }
}
