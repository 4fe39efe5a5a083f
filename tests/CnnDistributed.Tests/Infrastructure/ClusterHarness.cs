using System.Security.Cryptography.X509Certificates;
using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Core.Training;
using CnnDistributed.Coordinator.Security;
using CnnDistributed.Hosting.Tls;
using CnnDistributed.Worker.Runtime;
using CnnDistributed.Worker.Runtime.Backends;
using CnnDistributed.Worker.Runtime.Transport;
using Grpc.Net.Client;
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
    private readonly TempDirectory? _certificates;
    private readonly ServerTls? _serverTls;

    private ClusterHarness(
        DistributedTrainingHost coordinator, CapturingLoggerProvider logs, TempDirectory? certificates, ServerTls? serverTls)
    {
        Coordinator = coordinator;
        Logs = logs;
        _certificates = certificates;
        _serverTls = serverTls;
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(logs));
        WorkerCredentials = certificates is null ? null : Tls(RunCertificateAuthority.SharedWorkerName);
    }

    public DistributedTrainingHost Coordinator { get; }

    /// <summary>The run's certificate folder (made by <see cref="TlsDirectory.Create"/>); null for an insecure harness.</summary>
    public string? CertificateFolder => _certificates?.Path;

    /// <summary>What in-process workers present and check: the shared worker certificate; null when insecure.</summary>
    public ClientTls? WorkerCredentials { get; }

    public CapturingLoggerProvider Logs { get; }

    public Uri Address => Coordinator.Address;

    /// <summary>
    /// Starts the coordinator of a <see cref="ShortTrainingRun"/> on 127.0.0.1 with an ephemeral port (or on all
    /// interfaces with <paramref name="allInterfaces"/>), its options set by <paramref name="configure"/> (default: a
    /// 20 s step timeout), with mutual TLS from a fresh certificate folder (two numbered worker certificates besides
    /// the shared one) unless <paramref name="insecure"/>.
    /// </summary>
    public static async Task<ClusterHarness> StartAsync(
        Action<CoordinatorOptions>? configure = null, bool insecure = false, bool allInterfaces = false)
    {
        var logs = new CapturingLoggerProvider();
        TempDirectory? certificates = null;
        ServerTls? serverTls = null;
        if (!insecure)
        {
            certificates = new TempDirectory();
            TlsDirectory.Create(certificates.Path, [], 2, TimeSpan.FromDays(1), TimeProvider.System);
            serverTls = ServerTls.FromDirectory(certificates.Path, TimeProvider.System, TimeSpan.FromMilliseconds(200));
        }
        var host = allInterfaces ? "0.0.0.0" : "127.0.0.1";
        var coordinator = await DistributedTrainingHost.StartAsync(
            $"{(insecure ? "http" : "https")}://{host}:0",
            new TrainingOptions { Shards = ShortTrainingRun.ShardCount },
            serverTls,
            configure ?? (options => options.StepTimeout = TimeSpan.FromSeconds(20)),
            logging => logging.AddProvider(logs));
        return new ClusterHarness(coordinator, logs, certificates, serverTls);
    }

    /// <summary>The client credentials of certificate <paramref name="name"/> of the run's folder.</summary>
    public ClientTls Tls(string name) =>
        WorkerTls.Load(new WorkerOptions { Tls = CertificateFolder, TlsName = name }, TimeProvider.System)!;

    /// <summary>
    /// The client credentials of a worker that trusts the run's CA but presents <paramref name="certificate"/>, such as
    /// one from another run, an expired one or the coordinator's own.
    /// </summary>
    public ClientTls Presenting(X509Certificate2 certificate) => new(
        certificate,
        new PeerCertificateValidator(
            TlsDirectory.LoadAuthority(CertificateFolder!), Oids.ServerAuthentication, TimeProvider.System));

    /// <summary>
    /// Puts the CA and coordinator certificate of <paramref name="nextRun"/> (a folder made by
    /// <see cref="TlsDirectory.Create"/>) in place of the run's, as a secret update does, and waits until the
    /// coordinator has reloaded them. Each file is renamed into place, the coordinator's certificate last: until it
    /// lands, its new key does not match it, so the coordinator can only load the old set or the whole new one.
    /// </summary>
    public async Task RotateCertificatesAsync(string nextRun)
    {
        var folder = CertificateFolder!;
        var coordinatorCertificate = TlsDirectory.CertificatePath(nextRun, TlsDirectory.Coordinator);
        string[] files =
        [
            TlsDirectory.KeyPath(nextRun, TlsDirectory.Authority),
            TlsDirectory.KeyPath(nextRun, TlsDirectory.Coordinator),
            TlsDirectory.CertificatePath(nextRun, TlsDirectory.Authority),
            coordinatorCertificate,
        ];
        foreach (var file in files)
        {
            var staged = Path.Combine(folder, "." + Path.GetFileName(file) + ".new");
            File.Copy(file, staged);
            File.Move(staged, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        }
        using var next = X509CertificateLoader.LoadCertificateFromFile(coordinatorCertificate);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!_serverTls!.Certificate.RawDataMemory.Span.SequenceEqual(next.RawDataMemory.Span))
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>A gRPC channel to the coordinator over this repository's HTTP/2 client, as a worker opens it.</summary>
    public GrpcChannel OpenChannel(ClientTls? tls = null) => GrpcChannel.ForAddress(Address, new GrpcChannelOptions
    {
        HttpHandler = new Http2Handler(
            new Http2Timeouts(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(5)),
            tls ?? WorkerCredentials,
            TimeProvider.System),
    });

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

    /// <summary>
    /// Starts <paramref name="count"/> in-process CPU workers, or workers on the backends of
    /// <paramref name="backendFor"/> (by index), presenting <paramref name="tls"/> instead of
    /// <see cref="WorkerCredentials"/> when given.
    /// </summary>
    public InProcessWorkers StartInProcessWorkers(
        int count, int threads = 1, Func<int, IWorkerBackendFactory>? backendFor = null, ClientTls? tls = null)
    {
        var credentials = tls ?? WorkerCredentials;
        var workers = backendFor is null
            ? InProcessWorkers.StartCpu(Address, count, threads, credentials, _loggerFactory)
            : InProcessWorkers.Start(Address, count, threads, backendFor, credentials, _loggerFactory);
        _inProcess.Add(workers);
        return workers;
    }

    /// <summary>
    /// Runs one in-process worker runtime named <paramref name="name"/> against the coordinator (or
    /// <paramref name="address"/>) with <paramref name="tls"/> (plaintext when null), making a single registration
    /// attempt: how it ended. A refused worker ends at once; an admitted one works until the job ends.
    /// </summary>
    public Task<WorkerExit> RunWorkerOnceAsync(string name, ClientTls? tls, Uri? address = null)
    {
        var options = new WorkerOptions
        {
            Coordinator = (address ?? Address).ToString(),
            Name = name,
            Threads = 1,
            ConnectAttempts = 1,
            Insecure = tls is null,
        };
        var runtime = new WorkerRuntime(
            options,
            tls,
            new WorkerBackendFactory("cpu", 1),
            _loggerFactory.CreateLogger<WorkerRuntime>(),
            TimeProvider.System);
        return runtime.RunAsync(CancellationToken.None);
    }

    /// <summary>Starts a worker process, inside <paramref name="network"/> (reaching the coordinator over its veth) when given.</summary>
    public WorkerProcess StartWorkerProcess(string name, int threads = 1, NetworkNamespace? network = null)
    {
        string[] transport = CertificateFolder is { } folder ? ["--tls", folder] : ["--insecure"];
        string[] arguments =
        [
            "--coordinator", (network?.HostUrl(Address) ?? Address).ToString(),
            "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--name", name,
            .. transport,
        ];
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
        _serverTls?.Dispose();
        _certificates?.Dispose();
    }
}
