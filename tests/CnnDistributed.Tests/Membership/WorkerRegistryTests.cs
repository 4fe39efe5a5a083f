using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Tests.Membership;

[Trait("Category", "Unit")]
public sealed class WorkerRegistryTests : IDisposable
{
    private const string Cpu = "cpu-avx512";
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public WorkerRegistryTests() => _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs));

    public void Dispose() => _loggerFactory.Dispose();

    [Fact]
    public void WorkerIdsAre128RandomBitsInHexAndNeverRepeat()
    {
        var registry = Registry();

        var ids = Enumerable.Range(0, 200).Select(i => Admit(registry, Peer($"c{i}")).WorkerId).ToList();

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void AWorkStreamFromAnotherConnectionIsRefusedWithPermissionDeniedAndTheOwnerStillJoins()
    {
        var registry = Registry();
        var owner = Peer("owner");
        var job = Admit(registry, owner);

        var refused = Assert.Throws<RpcException>(() => registry.Attach(job.WorkerId, Peer("intruder"), Stream()));
        var joined = registry.Attach(job.WorkerId, owner, Stream());

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("was issued to another connection", refused.Status.Detail);
        Assert.Single(_logs.Lines, l => l.Contains("Refused a work stream from intruder", StringComparison.Ordinal));
        Assert.Equal(WorkerState.Connected, joined.State);
    }

    [Fact]
    public void ASecondWorkStreamForALiveIdIsRefusedWithPermissionDenied()
    {
        var registry = Registry();
        var peer = Peer("worker");
        var job = Admit(registry, peer);
        registry.Attach(job.WorkerId, peer, Stream());

        var refused = Assert.Throws<RpcException>(() => registry.Attach(job.WorkerId, peer, Stream()));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Single(registry.Connected);
    }

    [Fact]
    public void AnUnknownIdIsToldToRegister()
    {
        var refused = Assert.Throws<RpcException>(() => Registry().Attach(new string('0', 32), Peer("p"), Stream()));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
    }

    [Fact]
    public void TenThousandRegistrationsOnOneConnectionHoldOneSlot()
    {
        var registry = Registry();
        var peer = Peer("flood");

        var ids = Enumerable.Range(0, 10_000).Select(_ => Admit(registry, peer).WorkerId).ToList();

        Assert.Equal(1, registry.Count);
        var replaced = Assert.Throws<RpcException>(() => registry.Attach(ids[0], peer, Stream()));
        Assert.Equal(StatusCode.FailedPrecondition, replaced.StatusCode);
        Assert.Equal(WorkerState.Connected, registry.Attach(ids[^1], peer, Stream()).State);
    }

    [Fact]
    public void RegistrationsBeyondTheWorkerLimitAreRefusedUntilOneLeaves()
    {
        var registry = Registry(options => options.MaxWorkers = 3);
        var peers = Enumerable.Range(0, 3).Select(i => Peer($"c{i}")).ToList();
        var first = registry.Attach(Admit(registry, peers[0]).WorkerId, peers[0], Stream());
        Admit(registry, peers[1]);
        Admit(registry, peers[2]);

        var refused = registry.Register(Request("fourth"), Peer("c3"));
        registry.Drop(first, "test");
        var admitted = registry.Register(Request("fifth"), Peer("c4"));

        Assert.Equal("the job already has its maximum of 3 workers (--max-workers)", refused.Refused.Reason);
        Assert.Equal(RegisterReply.OutcomeOneofCase.Accepted, admitted.OutcomeCase);
    }

    [Fact]
    public void ARegistrationExpiresWhenItsConnectionCloses()
    {
        var registry = Registry();
        using var connection = new CancellationTokenSource();
        var peer = Peer("short-lived", connection.Token);
        var job = Admit(registry, peer);

        connection.Cancel();

        Assert.Equal(0, registry.Count);
        var refused = Assert.Throws<RpcException>(() => registry.Attach(job.WorkerId, peer, Stream()));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
    }

    [Theory]
    [InlineData("", "a worker must give its name")]
    [InlineData("line\nInformation forged", "the worker's name contains control characters")]
    [InlineData("ä", null)]
    public void NamesMustBePresentAndFreeOfControlCharacters(string name, string? reason)
    {
        var reply = Registry().Register(Request(name), Peer("p"));

        Assert.Equal(reason, reply.Refused?.Reason);
    }

    [Fact]
    public void NamesLongerThan256BytesAreRefused()
    {
        var registry = Registry();

        var longest = registry.Register(Request(new string('a', 256)), Peer("a"));
        var tooLong = registry.Register(Request(new string('ä', 129)), Peer("b"));

        Assert.Equal(RegisterReply.OutcomeOneofCase.Accepted, longest.OutcomeCase);
        Assert.Equal("the worker's name is longer than 256 bytes", tooLong.Refused.Reason);
    }

    [Fact]
    public void TheFirstRegistrationDoesNotFixTheJobsDeviceKind()
    {
        var registry = Registry();
        var odd = Join(registry, "odd", "cuda-sm90");
        Join(registry, "a", Cpu);
        Join(registry, "b", Cpu);

        registry.SealDeviceKind();
        var late = registry.Register(Request("late", "cuda-sm90"), Peer("late"));

        Assert.Equal(Cpu, registry.DeviceKind);
        Assert.Equal(WorkerState.Closed, odd.State);
        Assert.Equal(2, registry.Connected.Count);
        Assert.StartsWith("device kind 'cuda-sm90' differs from the job's 'cpu-avx512'", late.Refused.Reason);
    }

    [Fact]
    public void TheCoordinatorsChoiceOfDeviceKindRefusesOtherKindsFromTheStart()
    {
        var registry = Registry(options => options.DeviceKind = "cuda-sm90");

        var refused = registry.Register(Request("cpu", Cpu), Peer("a"));
        var admitted = registry.Register(Request("gpu", "cuda-sm90"), Peer("b"));

        Assert.Equal(RegisterReply.OutcomeOneofCase.Refused, refused.OutcomeCase);
        Assert.Equal(RegisterReply.OutcomeOneofCase.Accepted, admitted.OutcomeCase);
        Assert.Equal("cuda-sm90", registry.DeviceKind);
    }

    [Fact]
    public void ADroppedWorkerNoLongerCounts()
    {
        var registry = Registry();
        var worker = Join(registry, "w", Cpu);

        registry.Drop(worker, "test");

        Assert.Equal(0, registry.Count);
        Assert.Empty(registry.Connected);
    }

    private WorkerRegistry Registry(Action<CoordinatorOptions>? configure = null)
    {
        var options = new CoordinatorOptions();
        configure?.Invoke(options);
        return new WorkerRegistry(
            Options.Create(new TrainingOptions()), Options.Create(options), TimeProvider.System, _loggerFactory.CreateLogger<WorkerRegistry>());
    }

    private static WorkerConnection Join(WorkerRegistry registry, string name, string deviceKind)
    {
        var peer = Peer(name);
        var reply = registry.Register(Request(name, deviceKind), peer);
        return registry.Attach(reply.Accepted.WorkerId, peer, Stream());
    }

    private static JobSettings Admit(WorkerRegistry registry, WorkerPeer peer)
    {
        var reply = registry.Register(Request("worker"), peer);
        return reply.Accepted ?? throw new InvalidOperationException(reply.Refused.Reason);
    }

    private static RegisterRequest Request(string name, string deviceKind = Cpu) => new()
    {
        Name = name,
        DeviceKind = deviceKind,
        Threads = 1,
        ProtocolVersion = (uint)ProtocolVersion.Current,
    };

    private static WorkerPeer Peer(string connection, CancellationToken closed = default) =>
        new(connection, connection, null, closed);

    private static ChannelStreamWriter<CoordinatorMessage> Stream() => new();
}
