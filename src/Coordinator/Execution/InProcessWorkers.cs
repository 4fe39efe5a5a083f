using CnnDistributed.Worker.Runtime;
using CnnDistributed.Worker.Runtime.Backends;
using CnnDistributed.Worker.Runtime.Transport;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Coordinator.Execution;

/// <summary>
/// Workers run inside this process for <c>train --workers N</c>: each a <see cref="WorkerRuntime"/> talking to the
/// coordinator over real loopback gRPC, exactly as a remote worker would.
/// </summary>
public sealed class InProcessWorkers : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private InProcessWorkers(
        Uri coordinator,
        int count,
        int threadsPerWorker,
        Func<int, IWorkerBackendFactory> backendFor,
        ClientTls? tls,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        var runs = new Task<WorkerExit>[count];
        for (var i = 0; i < count; i++)
        {
            var options = new WorkerOptions
            {
                Coordinator = coordinator.ToString(),
                Name = $"local-{i + 1}",
                Threads = threadsPerWorker,
                ConnectAttempts = 3,
                Insecure = tls is null,
            };
            var runtime = new WorkerRuntime(
                options, tls, backendFor(i), loggerFactory.CreateLogger<WorkerRuntime>(), timeProvider);
            runs[i] = Task.Run(() => runtime.RunAsync(_stop.Token));
        }
        Completion = Task.WhenAll(runs);
    }

    /// <summary>Every worker's exit, once all have ended.</summary>
    public Task<WorkerExit[]> Completion { get; }

    /// <summary>
    /// Starts <paramref name="count"/> workers of <paramref name="coordinator"/>, worker i on the backends of
    /// <paramref name="backendFor"/>(i), with mutual TLS when <paramref name="tls"/> is given.
    /// </summary>
    public static InProcessWorkers Start(
        Uri coordinator,
        int count,
        int threadsPerWorker,
        Func<int, IWorkerBackendFactory> backendFor,
        ClientTls? tls,
        ILoggerFactory loggerFactory,
        TimeProvider? timeProvider = null) =>
        new(coordinator, count, threadsPerWorker, backendFor, tls, loggerFactory, timeProvider ?? TimeProvider.System);

    /// <summary>Starts <paramref name="count"/> CPU workers.</summary>
    public static InProcessWorkers StartCpu(
        Uri coordinator,
        int count,
        int threadsPerWorker,
        ClientTls? tls,
        ILoggerFactory loggerFactory) =>
        Start(
            coordinator,
            count,
            threadsPerWorker,
            _ => new WorkerBackendFactory("cpu", threadsPerWorker),
            tls,
            loggerFactory);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await ((Task)Completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
