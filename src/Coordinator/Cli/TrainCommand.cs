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
/// Checkpoints go to <c>--out</c>/checkpoint.bin every <c>--checkpoint-every</c> steps, at the end and on SIGINT/SIGTERM
/// (then the exit code is 130 or 143); <c>--resume DIR</c> continues such a job bit-exactly with the checkpoint's options.
/// </summary>
public sealed class TrainCommand(CliConsole console, TrainCommandOptions given, ServeSettings? serve, TerminationSignals signals)
{
    public static Command Create(CliConsole console, TerminationSignals signals)
    {
        var line = new TrainCommandLine();
        var command = new Command("train", "Train on this machine: a coordinator and --workers local workers over loopback gRPC");
        foreach (var option in line.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((parseResult, cancellationToken) => new TrainCommand(console, line.Bind(parseResult), null, signals).RunAsync(cancellationToken));
        return command;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var error = given.Validate() ?? serve?.Validate();
        if (error is not null)
        {
            throw new UsageException(error);
        }
        var resume = given.Resume is { } directory ? LoadCheckpoint(directory) : null;
        if (resume is not null && ResumeConflicts.Find(given, resume.Options, given.Resume!) is { } conflict)
        {
            throw new UsageException(conflict);
        }
        var options = resume is null ? given : given.WithTraining(resume.Options) with { Out = given.Resume! };
        TrainingExecution.ParseDevice(options.Device);
        if (File.Exists(options.Out))
        {
            throw new UsageException($"--out {options.Out}: exists and is not a directory");
        }
        var data = MnistDataset.Load(options.Data);
        var initial = resume is not null || options.InitWeights is null ? WeightInitializer.Create(options.Seed) : SafetensorsFile.Read(options.InitWeights);

        var training = options.ToTrainingOptions();
        using var logging = CoordinatorLogging.Create(console, serve is null ? LogLevel.Warning : LogLevel.Information);
        var metrics = new TrainingMetrics();
        await using var metricsEndpoint = StartMetricsEndpoint(metrics);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Token);
        await using var execution = await TrainingExecution.StartAsync(options, serve, logging, metrics.Watch, stop.Token);
        CreateOutputDirectory(options.Out);
        var outputs = new RunOutputs(options.Out);
        var checkpoints = new CheckpointWriter(options.Out, options.CheckpointEvery);
        var loop = new TrainingLoop(training, data, execution.Executor, execution.Evaluator);
        TrainingResult result;
        try
        {
            result = await Run(options, sink => loop.RunAsync(initial, new MetricsFileSink(outputs.MetricsPath, new MetricsProgressSink(metrics, sink), resume?.CompletedEpochs ?? []), resume, checkpoints, stop.Token), loop.TotalSteps);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            console.Error.WriteLine($"stopped by {signals.SignalName}: checkpoint written to {checkpoints.Path}; continue with --resume {options.Out}");
            return signals.ExitCode;
        }

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

    private static TrainingCheckpoint LoadCheckpoint(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--resume {directory}: no such folder");
        }
        return CheckpointFile.Read(Path.Combine(directory, CheckpointFile.FileName));
    }

    private Task<TrainingResult> Run(TrainCommandOptions options, Func<IProgressSink, Task<TrainingResult>> job, long totalSteps)
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

    private static void CreateOutputDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out {directory}: cannot create the folder ({e.Message})");
        }
    }
}
