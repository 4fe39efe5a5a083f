using CnnDistributed.Coordinator.Cli;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Coordinator.Security;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Core.Training;
using CnnDistributed.Worker.Runtime.Backends;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Coordinator.Execution;

/// <summary>
/// Where a job's gradients are computed, and the backend that evaluates the test set on the coordinator:
/// <list type="bullet">
/// <item><c>train --workers 0</c>: the engine in this process, no gRPC (the single-process reference);</item>
/// <item>
/// <c>train --workers N</c>: a coordinator on a loopback port and N workers in this process over real gRPC;
/// </item>
/// <item><c>serve</c>: a coordinator on <c>--listen</c> that waits for <c>--expect-workers</c> remote workers.</item>
/// </list>
/// </summary>
public sealed class TrainingExecution : IAsyncDisposable
{
    private readonly IAsyncDisposable? _cluster;

    /// <summary>What <c>serve</c> reports as its device choice: the coordinator computes no gradients.</summary>
    public const string ChosenByEachWorker = "serve: each worker chooses its device (its --device; its log says which)";

    private TrainingExecution(
        IStepExecutor executor, IComputeBackend evaluator, IAsyncDisposable? cluster, string deviceChoice)
    {
        Executor = executor;
        Evaluator = evaluator;
        _cluster = cluster;
        DeviceChoice = deviceChoice;
    }

    public IStepExecutor Executor { get; }

    /// <summary>
    /// Which device computes the gradients and why, in one line (<see cref="DeviceSelection.Description"/>), for the
    /// run's first line and <c>summary.json</c>.
    /// </summary>
    public string DeviceChoice { get; }

    public IComputeBackend Evaluator { get; }

    /// <summary>Per-step timings split by where the time went, when the job runs on workers.</summary>
    public StepTimings? Timings => (Executor as DistributedStepExecutor)?.Total;

    /// <summary>Checks the device choice before anything starts, so an unavailable device is a usage error.</summary>
    public static ComputeDevice ParseDevice(string name)
    {
        try
        {
            return DeviceSelector.Parse(name);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// Starts the execution of <paramref name="job"/> on <paramref name="run"/>'s local workers (none: in this
    /// process),
    /// or, for <c>serve</c>, on the remote workers <paramref name="serve"/> waits for, with mutual TLS on
    /// <paramref name="serveTls"/> unless the run is <c>--insecure</c>; <paramref name="listening"/> sees the worker
    /// registry as soon as the coordinator listens (local workers: once they joined).
    /// </summary>
    public static async Task<TrainingExecution> StartAsync(
        TrainingOptions job,
        RunOptions run,
        ServeOptions? serve,
        ServerTls? serveTls,
        Action<CoordinatorOptions>? configureCoordinator,
        ILoggerFactory logging,
        Action<WorkerRegistry>? listening,
        CancellationToken cancellationToken)
    {
        var device = ParseDevice(run.Device);
        var threads = run.Threads ?? ThreadBudget.DefaultPerWorker(run.Workers);
        if (serve is null && run.Workers == 0)
        {
            var (backend, selection) = ComputeBackendFactory.Create(device, threads, job.Scaling);
            return new TrainingExecution(
                new LocalStepExecutor(backend, job.Shards), backend, null, selection.Description);
        }
        var evaluator = ComputeBackendFactory.CreateCpu(Environment.ProcessorCount, job.Scaling);
        if (serve is null)
        {
            // One choice for the whole job: the workers' factories take it instead of enumerating the devices again.
            var selection = WorkerBackendFactory.TrySelect(run.Device, out var unavailable)
                ?? throw new UsageException(unavailable!);
            var cluster = await LocalCluster.StartAsync(
                job,
                run.Workers,
                threads,
                run.Insecure,
                selection,
                configureCoordinator,
                Configure(logging),
                cancellationToken);
            listening?.Invoke(cluster.Workers);
            return new TrainingExecution(cluster.Executor, evaluator, cluster, selection.Description);
        }
        DistributedTrainingHost host;
        try
        {
            host = await DistributedTrainingHost.StartAsync(
                serve.Listen!,
                job,
                serveTls,
                configureCoordinator,
                Configure(logging),
                cancellationToken: cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--listen {serve.Listen}: {e.Message}");
        }
        listening?.Invoke(host.Workers);
        try
        {
            logging.CreateLogger<TrainingExecution>().LogInformation(
                "Waiting for {Workers} workers on {Address}", serve.ExpectWorkers, serve.Listen);
            await host.WaitForWorkersAsync(serve.ExpectWorkers, serve.JoinTimeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            await host.DisposeAsync();
            throw new JobFailedException(e.Message, e);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return new TrainingExecution(host.Executor, evaluator, host, ChosenByEachWorker);
    }

    public async ValueTask DisposeAsync()
    {
        await (_cluster ?? Executor).DisposeAsync();
        Evaluator.Dispose();
    }

    private static Action<ILoggingBuilder> Configure(ILoggerFactory logging) =>
        builder => builder.AddProvider(new ForwardingLoggerProvider(logging));
}
