using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CnnDistributed.Coordinator.Training;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using Spectre.Console;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd train</c>: checks every input (options, data, initial weights, output folder) before writing anything,
/// then trains and writes metrics.jsonl, model.safetensors and summary.json. The job runs in-process on the CPU engine
/// with <see cref="LocalStepExecutor"/>; <c>--workers</c> sets the thread budget and is recorded in the outputs.
/// </summary>
public sealed class TrainCommand(CliConsole console, TrainCommandOptions options)
{
    public static Command Create(CliConsole console)
    {
        var line = new TrainCommandLine();
        var command = new Command("train", "Train the network on this machine and write metrics, weights and a summary");
        foreach (var option in line.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((parseResult, cancellationToken) => new TrainCommand(console, line.Bind(parseResult)).RunAsync(cancellationToken));
        return command;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var error = options.Validate();
        if (error is not null)
        {
            throw new UsageException(error);
        }
        DeviceChoice.RequireAvailable(options.Device);
        if (File.Exists(options.Out))
        {
            throw new UsageException($"--out {options.Out}: exists and is not a directory");
        }
        var data = MnistDataset.Load(options.Data);
        var initial = options.InitWeights is null ? WeightInitializer.Create(options.Seed) : SafetensorsFile.Read(options.InitWeights);
        CreateOutputDirectory();

        var training = options.ToTrainingOptions();
        var outputs = new RunOutputs(options.Out);
        using var backend = new CpuBackend(ThreadBudget.InProcess(options.Threads, options.Workers), training.Scaling);
        await using var executor = new ReportedWorkersExecutor(new LocalStepExecutor(backend, training.Shards), options.Workers);
        var loop = new TrainingLoop(training, data, executor, backend);
        var result = await Run(sink => loop.RunAsync(initial, new MetricsFileSink(outputs.MetricsPath, sink), cancellationToken), loop.TotalSteps);

        outputs.WriteModel(result.Parameters);
        var summary = new TrainingSummary
        {
            FinalTestAccuracy = result.Final.TestAccuracy,
            FinalTestLoss = result.Final.TestLoss,
            Epochs = result.Epochs.Count,
            Steps = result.Steps,
            Samples = result.Samples,
            WallS = result.WallSeconds,
            SamplesPerSecond = result.SamplesPerSecond,
            WeightsSha256 = WeightsDigest.Sha256Hex(result.Parameters),
            Workers = executor.Workers,
            Device = executor.DeviceKind,
            PeakRssMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            Config = options,
        };
        outputs.WriteSummary(summary);
        console.Out.WriteLine(options.Json
            ? JsonFormats.TypedLine("summary", summary)
            : string.Create(CultureInfo.InvariantCulture, $"done: test accuracy {summary.FinalTestAccuracy:F4}, weights_sha256 {summary.WeightsSha256}, outputs in {outputs.Directory}"));
        return ExitCodes.Success;
    }

    private Task<TrainingResult> Run(Func<IProgressSink, Task<TrainingResult>> job, long totalSteps)
    {
        if (options.Quiet)
        {
            return job(new SilentProgressSink());
        }
        if (options.Json)
        {
            return job(new JsonProgressSink(console.Out, TimeProvider.System));
        }
        return console.Interactive
            ? LiveProgressSink.RunAsync(AnsiConsole.Console, options.Epochs, totalSteps, job)
            : job(new PlainProgressSink(console.Out, options.Epochs));
    }

    private void CreateOutputDirectory()
    {
        try
        {
            Directory.CreateDirectory(options.Out);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out {options.Out}: cannot create the folder ({e.Message})");
        }
    }
}
