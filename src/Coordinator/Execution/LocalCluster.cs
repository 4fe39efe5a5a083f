using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Coordinator.Security;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Core.Training;
using CnnDistributed.Worker.Runtime.Backends;
using Microsoft.Extensions.Logging;


namespace CnnDistributed.Coordinator.Execution;

/// <summary>
/// A whole job on this machine (<c>train --workers N</c>): a coordinator on a loopback ephemeral port and N in-process
/// workers talking to it over real gRPC, the code path of a cluster. Disposing it ends the job and waits for the
/// workers.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(30);

    private readonly DistributedTrainingHost _host;
    private readonly InProcessWorkers _workers;
    private readonly ILoggerFactory _loggerFactory;
    private readonly LoopbackCredentials? _credentials;

    private LocalCluster(
        DistributedTrainingHost host,
        InProcessWorkers workers,
        ILoggerFactory loggerFactory,
        LoopbackCredentials? credentials)
    {
        _host = host;
        _workers = workers;
        _loggerFactory = loggerFactory;
        _credentials = credentials;
    }

    /// <summary>The step executor over the N workers.</summary>
    public DistributedStepExecutor Executor => _host.Executor;

    /// <summary>The registry of the N workers.</summary>
    public WorkerRegistry Workers => _host.Workers;

    /// <summary>The coordinator's loopback address.</summary>
    public Uri Address => _host.Address;

    /// <summary>
    /// Starts a coordinator for <paramref name="job"/> and <paramref name="workers"/> workers on
    /// <paramref name="device"/> (chosen already; null: the CPU engine), talking mutual TLS with a CA made for this job
    /// alone, or plaintext HTTP/2 when <paramref name="insecure"/>.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(
        TrainingOptions job,
        int workers,
        int threadsPerWorker,
        bool insecure,
        DeviceSelection? device = null,
        Action<CoordinatorOptions>? configure = null,
        Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        var credentials = insecure ? null : LoopbackCredentials.Create(TimeProvider.System);
        var host = await DistributedTrainingHost.StartAsync(
            credentials is null ? "http://127.0.0.1:0" : "https://127.0.0.1:0",
            job,
            credentials?.Coordinator,
            configure,
            configureLogging,
            cancellationToken: cancellationToken);
        var loggerFactory = LoggerFactory.Create(logging => configureLogging?.Invoke(logging));
        var running = InProcessWorkers.Start(
            host.Address,
            workers,
            threadsPerWorker,
            _ => device is null
                ? new WorkerBackendFactory("cpu", threadsPerWorker)
                : new WorkerBackendFactory(device, threadsPerWorker),
            credentials?.Workers,
            loggerFactory);
        var cluster = new LocalCluster(host, running, loggerFactory, credentials);
        try
        {
            await host.WaitForWorkersAsync(workers, JoinTimeout, cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _workers.DisposeAsync();
        _loggerFactory.Dispose();
        _credentials?.Dispose();
    }
}
