using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CnnDistributed.Coordinator.Dashboard;
using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Monitoring;
using CnnDistributed.Coordinator.Progress;
using CnnDistributed.Coordinator.Runs;
using CnnDistributed.Coordinator.Security;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Coordinator.Tracing;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Hosting;
using CnnDistributed.Hosting.Flags;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd train</c> and <c>cnnd serve</c>: check every input (options, data, initial weights, output folder) before
/// writing anything, start the <see cref="TrainingExecution"/> (in-process engine, local workers over loopback gRPC,
/// or a coordinator waiting for remote workers), train, and write metrics.jsonl, model.safetensors and summary.json.
/// Checkpoints go to <c>--out</c>/checkpoint.bin every <c>--checkpoint-every</c> steps, at the end and on
/// SIGINT/SIGTERM (then the exit code is 130 or 143); <c>--resume DIR</c> continues such a job bit-exactly with the
/// checkpoint's options.
/// </summary>
public sealed class TrainCommand
{
    /// <summary>How often <c>serve --tls DIR</c> looks for new certificates in DIR.</summary>
    private static readonly TimeSpan CertificateReloadInterval = TimeSpan.FromSeconds(2);

    private readonly CliConsole _console;
    private readonly TerminationSignals _signals;
    private readonly FlagSet _flags;
    private readonly ParseResult _parseResult;
    private readonly bool _serving;

    private TrainCommand(
        CliConsole console,
        TerminationSignals signals,
        FlagSet flags,
        ParseResult parseResult,
        bool serving)
    {
        _console = console;
        _signals = signals;
        _flags = flags;
        _parseResult = parseResult;
        _serving = serving;
    }

    /// <summary><c>train</c>: a coordinator and <c>--workers</c> local workers.</summary>
    public static Command Create(CliConsole console, TerminationSignals signals) => Create(
        new Command("train", "Train on this machine: a coordinator and --workers local workers over loopback gRPC"),
        CommandLineFlags.Train, console, signals, serving: false);

    /// <summary><c>serve</c>: the cluster coordinator, waiting for <c>--expect-workers</c> remote workers.</summary>
    public static Command CreateServe(CliConsole console, TerminationSignals signals) => Create(
        new Command(
            "serve", "Cluster coordinator: wait for remote workers (cnnd-worker --coordinator URL), then train"),
        [.. CommandLineFlags.Train, .. CommandLineFlags.Serve], console, signals, serving: true);

    private static Command Create(
        Command command,
        IEnumerable<Flag> table,
        CliConsole console,
        TerminationSignals signals,
        bool serving)
    {
        var flags = new FlagSet(command, table);
        command.SetAction((parseResult, cancellationToken) =>
            new TrainCommand(console, signals, flags, parseResult, serving).RunAsync(cancellationToken));
        return command;
    }

    private async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var configuration = _flags.ToConfiguration(_parseResult);
        await using var provider = BindOptions(configuration);
        var given = provider.GetRequiredService<IOptions<TrainingOptions>>().Value;
        var run = provider.GetRequiredService<IOptions<RunOptions>>().Value;
        var serve = _serving ? provider.GetRequiredService<IOptions<ServeOptions>>().Value : null;
        var coordinator = provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value;
        if (serve?.Run is { } finished)
        {
            return await ShowFinishedRunAsync(finished, run, cancellationToken);
        }
        if (serve is not null)
        {
            ChooseTransport(serve, run);
        }

        var resume = run.Resume is { } directory ? LoadCheckpoint(directory) : null;
        if (resume is not null
            && ResumeConflicts.Find(_flags, _flags.Given(_parseResult), given, resume.Options, run) is { } conflict)
        {
            throw new UsageException(conflict);
        }
        var training = resume?.Options ?? given;
        var output = run.Out!;
        TrainingExecution.ParseDevice(run.Device);
        CheckTrace(run, serve);
        OutputFolder.Check(run);
        var data = MnistDataset.Load(run.Data!);
        var initial = resume is not null || run.InitWeights is null
            ? WeightInitializer.Create(training.Seed)
            : SafetensorsFile.Read(run.InitWeights);

        using var serveTls = serve?.Tls is { } tls ? LoadServerTls(tls) : null;
        using var logging = CoordinatorLogging.Create(
            _console, serve is null ? LogLevel.Warning : LogLevel.Information);
        if (run.Insecure && (serve is not null || run.Workers > 0))
        {
            logging.CreateLogger<TrainCommand>().LogWarning(
                "--insecure: plaintext HTTP/2 without authentication; anyone who reaches the port can join the job, "
                + "and anyone on the path can read and change weights, samples and gradients");
        }
        var config = _flags.Record(type => type == typeof(TrainingOptions) ? training
            : type == typeof(RunOptions) ? run
            : type == typeof(ServeOptions) ? serve!
            : coordinator);
        await using var dashboard = await RunDashboard.StartAsync(
            run,
            new RunDescription(
                Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(output))),
                config,
                training.Seed,
                training.Epochs,
                training.BatchSize,
                training.Shards),
            _console.Error,
            cancellationToken);
        var metrics = new TrainingMetrics();
        await using var metricsEndpoint = StartMetricsEndpoint(serve, metrics);
        await using var healthEndpoint = serve is { HealthPort: > 0 }
            ? await StartHealthEndpointAsync(serve.HealthPort, cancellationToken)
            : null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _signals.Token);
        var coordinatorSection = configuration.GetSection(nameof(CoordinatorOptions));
        await using var execution = await TrainingExecution.StartAsync(
            training,
            run,
            serve,
            serveTls,
            coordinatorSection.Bind,
            logging,
            registry =>
            {
                metrics.Watch(registry);
                dashboard?.Monitor.Watch(registry);
            },
            stop.Token);
        var outputs = OutputFolder.Prepare(run);
        var checkpoints = new CheckpointWriter(output, run.CheckpointEvery);
        var loop = new TrainingLoop(training, data, execution.Executor, execution.Evaluator);
        dashboard?.Monitor.Started(execution.DeviceChoice, loop.TotalSteps, execution.Executor);
        var trace = run.Trace is null ? null : new StepTrace(TimeProvider.System, run.TraceSteps);
        if (execution.Executor is DistributedStepExecutor distributed)
        {
            distributed.Trace = trace;
        }
        TrainingResult result;
        try
        {
            var epochs = resume?.CompletedEpochs ?? [];
            result = await RunWithProgress(
                run,
                execution.DeviceChoice,
                training.Epochs,
                loop.TotalSteps,
                sink => loop.RunAsync(
                    initial,
                    new MetricsFileSink(
                        outputs.MetricsPath,
                        new MetricsProgressSink(
                            metrics, dashboard is null ? sink : new MonitoredProgress(dashboard.Monitor, sink)),
                        epochs),
                    resume,
                    dashboard is null ? checkpoints : new MonitoredCheckpoints(dashboard.Monitor, checkpoints),
                    stop.Token));
        }
        catch (OperationCanceledException) when (_signals.Token.IsCancellationRequested)
        {
            _console.Error.WriteLine(
                $"stopped by {_signals.SignalName}: checkpoint written to {checkpoints.Path}; "
                + $"continue with --resume {output}");
            return _signals.ExitCode;
        }
        catch (Exception e) when (dashboard is not null && e is not OperationCanceledException)
        {
            dashboard.Monitor.Finish("failed", new { error = FailureText(e) });
            throw;
        }
        finally
        {
            trace?.Write(run.Trace!);
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
            DeviceChoice = execution.DeviceChoice,
            PeakRssMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            StepTimings = execution.Timings,
            Config = config,
        };
        outputs.WriteSummary(summary);
        if (run.Plot)
        {
            PlotCommand.Plot(outputs.MetricsPath, outputs.Directory);
        }
        dashboard?.Monitor.Finish("finished", summary);
        _console.Out.WriteLine(run.Json
            ? JsonFormats.TypedLine("summary", summary)
            : string.Create(
                CultureInfo.InvariantCulture,
                $"done: test accuracy {summary.FinalTestAccuracy:F4}, weights_sha256 {summary.WeightsSha256}, "
                + $"outputs in {outputs.Directory}"));
        return ExitCodes.Success;
    }

    /// <summary>
    /// <c>serve --run DIR --dashboard</c>: the finished run in DIR on the dashboard, no training, until stopped.
    /// </summary>
    private async Task<int> ShowFinishedRunAsync(string directory, RunOptions run, CancellationToken cancellationToken)
    {
        if (run.Dashboard is null)
        {
            throw new UsageException("--run DIR shows a finished run on the dashboard: add --dashboard[=PORT]");
        }
        var description = FinishedRun.Read(directory, out var summary, out var epochs);
        await using var dashboard = await RunDashboard.StartAsync(run, description, _console.Out, cancellationToken);
        FinishedRun.Replay(dashboard!.Monitor, summary, epochs);
        _console.Out.WriteLine($"showing the finished run {directory}; stop with Ctrl+C");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _signals.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// <c>--trace</c> records workers' steps, so it needs some, and its folder must exist before the run starts.
    /// </summary>
    private static void CheckTrace(RunOptions run, ServeOptions? serve)
    {
        if (run.Trace is not { } path)
        {
            return;
        }
        if (serve is null && run.Workers == 0)
        {
            throw new UsageException("--trace records the steps of workers: it needs --workers 1 or more, or serve");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is null || !Directory.Exists(folder) || Directory.Exists(path))
        {
            var problem = Directory.Exists(path) ? "is a folder" : "its folder does not exist";
            throw new UsageException($"--trace {path}: {problem}");
        }
    }

    /// <summary>
    /// What the dashboard says of a failed run: the line the command prints, never an unexpected failure's detail.
    /// </summary>
    private static string FailureText(Exception e) => CommandLineApp.KnownFailure(e)?.Message ?? "internal error";

    /// <summary>
    /// The command's options, bound from its flags and checked in the order their errors are reported.
    /// </summary>
    private static ServiceProvider BindOptions(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddFlagOptions<TrainingOptions, TrainingOptionsValidator>(configuration);
        services.AddFlagOptions<RunOptions, RunOptionsValidator>(configuration)
            .PostConfigure(run => run.Resolve(TimeProvider.System));
        services.AddFlagOptions<ServeOptions, ServeOptionsValidator>(configuration);
        services.AddFlagOptions<CoordinatorOptions, CoordinatorOptionsValidator>(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// <c>serve</c> speaks mutual TLS with <c>--tls DIR</c> or plaintext with <c>--insecure</c>, and either must be
    /// asked for; the listen address defaults to the matching URL.
    /// </summary>
    private static void ChooseTransport(ServeOptions serve, RunOptions run)
    {
        if (serve.Tls is not null && run.Insecure)
        {
            throw new UsageException("--tls and --insecure exclude each other");
        }
        if (serve.Tls is null && !run.Insecure)
        {
            throw new UsageException(
                "serve needs --tls DIR with the run's certificates (make them with: cnnd certs create --out DIR "
                + "--host NAME) or --insecure for plaintext HTTP/2 without authentication");
        }
        serve.Listen ??= run.Insecure ? "http://0.0.0.0:5000" : "https://0.0.0.0:5000";
    }

    private static ServerTls LoadServerTls(string directory)
    {
        try
        {
            return ServerTls.FromDirectory(directory, TimeProvider.System, CertificateReloadInterval);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--tls {e.Message}");
        }
    }

    private static async Task<GrpcHealthEndpoint> StartHealthEndpointAsync(
        int port, CancellationToken cancellationToken)
    {
        try
        {
            return await GrpcHealthEndpoint.StartAsync(port, cancellationToken);
        }
        catch (IOException e)
        {
            throw new UsageException($"--health-port {port}: {e.Message}");
        }
    }

    private static TrainingCheckpoint LoadCheckpoint(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--resume {directory}: no such folder");
        }
        var path = Path.Combine(directory, CheckpointFile.FileName);
        var checkpoint = CheckpointFile.Read(path);
        var invalid = new TrainingOptionsValidator().Validate(null, checkpoint.Options);
        if (invalid.Failed)
        {
            throw new UsageException($"{path}: the checkpoint's options are invalid: {invalid.Failures.First()}");
        }
        return checkpoint;
    }

    /// <summary>
    /// Runs <paramref name="job"/> with the progress output <paramref name="run"/> asks for, whose first line says
    /// which device computes the gradients and why.
    /// </summary>
    private Task<TrainingResult> RunWithProgress(
        RunOptions run,
        string deviceChoice,
        int epochs,
        long totalSteps,
        Func<IProgressSink, Task<TrainingResult>> job)
    {
        if (run.Quiet)
        {
            return job(new SilentProgressSink());
        }
        if (run.Json)
        {
            _console.Out.WriteLine(JsonFormats.TypedLine("device", new { DeviceChoice = deviceChoice }));
            return job(new JsonProgressSink(_console.Out, TimeProvider.System));
        }
        _console.Out.WriteLine($"device: {deviceChoice}");
        return _console.Interactive
            ? LiveProgressSink.RunAsync(AnsiConsole.Console, epochs, totalSteps, job)
            : job(new PlainProgressSink(_console.Out, epochs));
    }

    private static MetricsEndpoint? StartMetricsEndpoint(ServeOptions? serve, TrainingMetrics metrics)
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
}
