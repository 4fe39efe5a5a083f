using CnnDistributed.Hosting.Tls;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;
using CnnDistributed.Worker.Runtime;
using CnnDistributed.Worker.Runtime.Transport;
using Grpc.Core;

namespace CnnDistributed.Tests.Security;

/// <summary>
/// Refusing peers never costs a secret: while a TLS job runs and every kind of bad peer is turned away, no log line,
/// no worker's error and no gRPC status sent to a refused peer holds key material, a stack trace or an exception name.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecretHygieneTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private static readonly Method<byte[], byte[]> RawRegister = new(
        MethodType.Unary,
        TrainingCoordinator.Descriptor.FullName,
        "Register",
        Marshallers.Create((byte[] bytes) => bytes, bytes => bytes),
        Marshallers.Create((byte[] bytes) => bytes, bytes => bytes));

    /// <summary>What the coordinator logs for the peers it refuses here: the scan below covers each.</summary>
    private static readonly string[] RefusalReasons =
    [
        "no client certificate", "is not issued by this run's CA", "is not valid now", "is not a client certificate",
        "it does not speak TLS",
    ];

    [Fact]
    public async Task RefusalsDuringATlsJobLogNoKeyMaterialStackTracesOrExceptionNames()
    {
        var steps = ShortTrainingRun.Steps(4);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync(allInterfaces: true);
        using var foreignRun = new TempDirectory();
        TlsDirectory.Create(foreignRun.Path, [], 0, TimeSpan.FromDays(1), TimeProvider.System);
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        var toPeers = new List<string>();

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == 1)
            {
                toPeers.AddRange(await RefusedWorkerErrorsAsync(cluster, foreignRun.Path));
                await Assert.ThrowsAsync<RpcException>(
                    () => StandardGrpcClient.RegisterAsync(cluster.Address, "without-certificate"));
                toPeers.AddRange(await StatusesToRefusedCallsAsync(cluster));
            }
        });

        Assert.Equal(expected, actual);
        foreach (var reason in RefusalReasons)
        {
            Assert.NotEmpty(cluster.LogLinesWith("Refused a ", "connection from 127.0.0.1:", reason));
        }
        LogHygiene.AssertClean([.. cluster.Logs.Lines, .. toPeers], cluster.CertificateFolder!, foreignRun.Path);
    }

    /// <summary>The one-line errors of real workers turned away for every TLS reason there is.</summary>
    private static async Task<IReadOnlyList<string>> RefusedWorkerErrorsAsync(ClusterHarness cluster, string foreignRun)
    {
        var folder = cluster.CertificateFolder!;
        (string Name, ClientTls? Tls, Uri Address)[] attempts =
        [
            ("foreign-certificate", cluster.Presenting(TlsDirectory.LoadIdentity(foreignRun, "worker")), cluster.Address),
            ("expired", cluster.Presenting(ExpiredCertificate.Issue(folder, "expired-worker")), cluster.Address),
            ("server-certificate", cluster.Presenting(TlsDirectory.LoadIdentity(folder, "coordinator")), cluster.Address),
            ("foreign-run", WorkerTls.Load(new WorkerOptions { Tls = foreignRun }, TimeProvider.System), cluster.Address),
            ("misdialled", cluster.WorkerCredentials, new UriBuilder(cluster.Address) { Host = "127.0.0.2" }.Uri),
            ("plaintext", null, new UriBuilder(cluster.Address) { Scheme = Uri.UriSchemeHttp }.Uri),
        ];
        var errors = new List<string>();
        foreach (var (name, tls, address) in attempts)
        {
            var exit = await cluster.RunWorkerOnceAsync(name, tls, address).WaitAsync(Generous);
            Assert.Equal(2, exit.Code);
            errors.Add(exit.Error!);
        }
        return errors;
    }

    /// <summary>
    /// What the coordinator answers peers it admits over TLS but refuses in gRPC: a work stream for an unknown worker,
    /// a registration in an unknown protocol version and a registration that is not protobuf.
    /// </summary>
    private static async Task<IReadOnlyList<string>> StatusesToRefusedCallsAsync(ClusterHarness cluster)
    {
        using var channel = cluster.OpenChannel();
        var invoker = channel.CreateCallInvoker();
        var headers = new Metadata { { WorkStreamMethods.WorkerIdHeader, "w-unknown" } };
        using var work = invoker.AsyncDuplexStreamingCall(
            WorkStreamMethods.ForWorker(new CoordinatorMessageReader()), null, new CallOptions(headers));
        var unknownWorker = await Assert.ThrowsAsync<RpcException>(() => work.ResponseStream.MoveNext());
        var client = new TrainingCoordinator.TrainingCoordinatorClient(invoker);
        var oldProtocol = await client.RegisterAsync(new RegisterRequest
        {
            Name = "old-protocol", DeviceKind = "cpu", Threads = 1, ProtocolVersion = 99,
        });
        var notProtobuf = await Assert.ThrowsAsync<RpcException>(
            () => invoker.AsyncUnaryCall(RawRegister, null, new CallOptions(), [0xFF, 0xFF, 0xFF]).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, unknownWorker.StatusCode);
        Assert.Equal(RegisterReply.OutcomeOneofCase.Refused, oldProtocol.OutcomeCase);
        Assert.Equal(StatusCode.InvalidArgument, notProtobuf.StatusCode);
        Assert.StartsWith("malformed registration: ", notProtobuf.Status.Detail);
        return [unknownWorker.Status.Detail, oldProtocol.Refused.Reason, notProtobuf.Status.Detail];
    }
}
