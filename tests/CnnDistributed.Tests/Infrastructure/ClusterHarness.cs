using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Core.Training;
using CnnDistributed.Worker.Runtime.Backends;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A coordinator (by default on 127.0.0.1 with an ephemeral port) plus workers, in this process (<see cref="InProcessWorkers"/>)
/// or as OS processes (<see cref="WorkerProcess"/>), with every log line captured.
/// </summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    private readonly List<InProcessWorkers> _inProcess = [];
    private readonly List<WorkerProcess> _processes = [];
    private readonly ILoggerFactory _loggerFactory;

    private ClusterHarness(DistributedTrainingHost coordinator, CapturingLoggerProvider logs)
    {
        Coordinator = coordinator;
        Logs = logs;
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(logs));
    }

    public DistributedTrainingHost Coordinator { get; }

    public CapturingLoggerProvider Logs { get; }

    public Uri Address => Coordinator.Address;

    /// <summary>
    /// Starts the coordinator of a <see cref="ShortTrainingRun"/> on <paramref name="listenUrl"/> (default 127.0.0.1
    /// with an ephemeral port), its options set by <paramref name="configure"/> (default: a 20 s step timeout).
    /// </summary>
    public static async Task<ClusterHarness> StartAsync(Action<CoordinatorOptions>? configure = null, string listenUrl = "http://127.0.0.1:0")
    {
        var logs = new CapturingLoggerProvider();
        var coordinator = await DistributedTrainingHost.StartAsync(
            listenUrl,
            new TrainingOptions { Shards = ShortTrainingRun.ShardCount },
            configure ?? (options => options.StepTimeout = TimeSpan.FromSeconds(20)),
            logging => logging.AddProvider(logs));
        return new ClusterHarness(coordinator, logs);
    }

    /// <summary>
    /// Settings for fault tests: a measured worker's deadline is at least 2 s (far above a healthy step here, so only a
    /// stuck worker misses it), an unmeasured one's 20 s, and a step waits up to 30 s for a worker when none is left.
    /// </summary>
    public static void FaultTestOptions(CoordinatorOptions options)
    {
        options.StepTimeout = TimeSpan.FromSeconds(20);
        options.ResultDeadlineFloor = TimeSpan.FromSeconds(2);
        options.WorkerWaitTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>Starts <paramref name="count"/> in-process CPU workers, or workers on the backends of <paramref name="backendFor"/> (by index).</summary>
    public InProcessWorkers StartInProcessWorkers(int count, int threads = 1, Func<int, IWorkerBackendFactory>? backendFor = null)
    {
        var workers = backendFor is null
            ? InProcessWorkers.StartCpu(Address, count, threads, _loggerFactory)
            : InProcessWorkers.Start(Address, count, threads, backendFor, _loggerFactory);
        _inProcess.Add(workers);
        return workers;
    }

    /// <summary>Starts a worker process, inside <paramref name="network"/> (reaching the coordinator over its veth) when given.</summary>
    public WorkerProcess StartWorkerProcess(string name, int threads = 1, NetworkNamespace? network = null)
    {
        string[] arguments = ["--coordinator", (network?.HostUrl(Address) ?? Address).ToString(), "--threads", threads.ToString(), "--name", name];
        var process = network is null ? WorkerProcess.Start(arguments) : WorkerProcess.StartIn(network, arguments);
        _processes.Add(process);
        return process;
    }

    public Task WaitForWorkersAsync(int count) => Coordinator.WaitForWorkersAsync(count, TimeSpan.FromSeconds(30));

    /// <summary>Log lines that mention all of <paramref name="fragments"/>.</summary>
    public IReadOnlyList<string> LogLinesWith(params string[] fragments) =>
        [.. Logs.Lines.Where(line => fragments.All(f => line.Contains(f, StringComparison.Ordinal)))];

    public async ValueTask DisposeAsync()
    {
        await Coordinator.DisposeAsync();
        foreach (var workers in _inProcess)
        {
            await workers.DisposeAsync();
        }
        foreach (var process in _processes)
        {
            process.Dispose();
        }
        _loggerFactory.Dispose();
    }
}
