using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CnnDistributed.Coordinator.Monitoring;
using CnnDistributed.Coordinator.Training;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd train</c> and <c>cnnd serve</c>: check every input (options, data, initial weights, output folder) before
/// writing anything, start the <see cref="TrainingExecution"/> (in-process engine, local workers over loopback gRPC,
/// or a coordinator waiting for remote workers), train, and write metrics.jsonl, model.safetensors and summary.json.
/// </summary>
public sealed class TrainCommand(CliConsole console, TrainCommandOptions options, ServeSettings? serve)
{
    public static Command Create(CliConsole console)
    {
        var line = new TrainCommandLine();
        var command = new Command("train", "Train on this machine: a coordinator and --workers local workers over loopback gRPC");
        foreach (var option in line.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((parseResult, cancellationToken) => new TrainCommand(console, line.Bind(parseResult), null).RunAsync(cancellationToken));
        return command;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var error = options.Validate() ?? serve?.Validate();
        if (error is not null)
        {
            throw new UsageException(error);
        }
        TrainingExecution.ParseDevice(options.Device);
        if (File.Exists(options.Out))
        {
            throw new UsageException($"--out {options.Out}: exists and is not a directory");
        }
        var data = MnistDataset.Load(options.Data);
        var initial = options.InitWeights is null ? WeightInitializer.Create(options.Seed) : SafetensorsFile.Read(options.InitWeights);

        var training = options.ToTrainingOptions();
        using var logging = CoordinatorLogging.Create(console, serve is null ? LogLevel.Warning : LogLevel.Information);
        var metrics = new TrainingMetrics();
        await using var metricsEndpoint = StartMetricsEndpoint(metrics);
        await using var execution = await TrainingExecution.StartAsync(options, serve, logging, metrics.Watch, cancellationToken);
        CreateOutputDirectory();
        var outputs = new RunOutputs(options.Out);
        var loop = new TrainingLoop(training, data, execution.Executor, execution.Evaluator);
        var result = await Run(sink => loop.RunAsync(initial, new MetricsFileSink(outputs.MetricsPath, new MetricsProgressSink(metrics, sink)), cancellationToken), loop.TotalSteps);

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
            Workers = execution.Executor.Workers,
            Device = execution.Executor.DeviceKind,
            PeakRssMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            StepTimings = execution.Timings,
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

    private MetricsEndpoint? StartMetricsEndpoint(TrainingMetrics metrics)
    {
        if (serve is not { MetricsPort: > 0 })
        {
            return null;
        }
        try
        {
            return MetricsEndpoint.Start(serve.MetricsPort, metrics);
        }
        catch (IOException e)
        {
            throw new UsageException($"--metrics-port {serve.MetricsPort}: {e.Message}");
        }
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
