using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Protocol;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Xunit.Abstractions;

namespace CnnDistributed.Tests.Security;

/// <summary>
/// A peer with a valid worker certificate that tries to exhaust the TLS coordinator: messages over the receive limit
/// (by their declared length, by their bytes, 64 MiB of padding), an oversize registration, 10,000 registrations, and
/// bodies that trickle. Each is refused or cut without the coordinator buffering what it declares, while a short job
/// on two honest workers goes on to the weights of an undisturbed run.
/// </summary>
[Trait("Category", "Integration")]
[Collection(AllocationMeasurementCollection.Name)]
public sealed class ResourceLimitTests(ITestOutputHelper output)
{
    private const string OverLimit = "Received message exceeds the maximum configured message size.";

    /// <summary>What the coordinator may allocate while refusing one attack: far below the 64 MiB it is offered.</summary>
    private const long AllocationBound = 16 * 1024 * 1024;

    private static readonly int ReceiveLimit = ProtocolLimits.CoordinatorReceiveBytes(ShortTrainingRun.ShardCount);

    [Fact]
    public async Task MessageDeclaringOneGibibyteIsRefusedBeforeItsBytesArriveAndTheRunGoesOn()
    {
        var attack = await AttackBetweenStepsAsync(cluster => OversizeAsync(cluster, async (body, ended) =>
        {
            await body.WriteAsync(RawGrpcPeer.Prefix(1u << 30));
            await body.WriteAsync(new byte[16]);
            await body.FlushAsync();
            await RawGrpcPeer.HoldOpenAsync(ended);
        }));

        AssertRefusedForSize(attack);
    }

    [Fact]
    public async Task MessageOneByteOverTheLimitIsRefusedAndTheRunGoesOn()
    {
        var attack = await AttackBetweenStepsAsync(cluster => OversizeAsync(cluster, async (body, ended) =>
        {
            await body.WriteAsync(RawGrpcPeer.Prefix((uint)ReceiveLimit + 1));
            await body.WriteAsync(new byte[ReceiveLimit + 1]);
            await body.FlushAsync();
            await RawGrpcPeer.HoldOpenAsync(ended);
        }));

        AssertRefusedForSize(attack);
    }

    [Fact]
    public async Task SixtyFourMebibytesOfPaddingAreRefusedWithoutBufferingAndTheRunGoesOn()
    {
        const int size = 64 * 1024 * 1024;
        var attack = await AttackBetweenStepsAsync(cluster => OversizeAsync(cluster, async (body, ended) =>
        {
            await body.WriteAsync(RawGrpcPeer.Prefix(size));
            var padding = new byte[1024 * 1024];
            try
            {
                for (var sent = 0; sent < size && !ended.IsCancellationRequested; sent += padding.Length)
                {
                    await body.WriteAsync(padding, ended);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
        }));

        AssertRefusedForSize(attack);
    }

    [Fact]
    public async Task RegistrationOverFourKibibytesIsRefusedAndTheRunGoesOn()
    {
        var (outcome, log) = await AttackBetweenStepsAsync(async cluster =>
        {
            using var peer = new RawGrpcPeer(cluster.Address, cluster.CertificateFolder!);
            return await peer.RegisterRawAsync(async (body, _) =>
            {
                var registration = PaddedRegistration(ProtocolLimits.RegistrationBytes + 1);
                await body.WriteAsync(RawGrpcPeer.Prefix((uint)registration.Length));
                await body.WriteAsync(registration);
            });
        });

        Assert.Equal(StatusCode.ResourceExhausted, outcome.Status);
        Assert.Equal($"a registration is at most {ProtocolLimits.RegistrationBytes} bytes", outcome.Detail);
        var refusal = Assert.Single(log, line => line.Contains("Refused a registration from 127.0.0.1:", StringComparison.Ordinal));
        Assert.EndsWith($"a registration is at most {ProtocolLimits.RegistrationBytes} bytes", refusal);
        Assert.DoesNotContain(log, line => line.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TenThousandRegistrationsLeaveTheRegistryBoundedAndALaterWorkerStillJoins()
    {
        const int connections = 10;
        const int perConnection = 1000;
        var steps = ShortTrainingRun.Steps(4);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync(options =>
        {
            options.StepTimeout = TimeSpan.FromSeconds(20);
            options.MaxWorkers = 4;
        });
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        var deviceKind = cluster.Coordinator.Workers.Connected[0].DeviceKind;
        var accepted = 0;
        var countWhileOpen = 0;

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step != 1)
            {
                return;
            }
            var peers = Enumerable.Range(0, connections)
                .Select(_ => new RawGrpcPeer(cluster.Address, cluster.CertificateFolder!))
                .ToList();
            var replies = await Task.WhenAll(peers.Select(async peer =>
            {
                var admitted = 0;
                for (var i = 0; i < perConnection; i++)
                {
                    admitted += (await peer.RegisterAsync(deviceKind)).Accepted is null ? 0 : 1;
                }
                return admitted;
            }));
            accepted = replies.Sum();
            countWhileOpen = cluster.Coordinator.Workers.Count;
            peers.ForEach(peer => peer.Dispose());
            await WaitUntilAsync(() => cluster.Coordinator.Workers.Count == 2);
        });
        cluster.StartInProcessWorkers(1);
        await cluster.WaitForWorkersAsync(3);

        Assert.Equal(expected, actual);
        Assert.Equal(2 * perConnection, accepted);
        Assert.Equal(4, countWhileOpen);
        Assert.Equal(
            (connections - 2) * perConnection,
            cluster.LogLinesWith("Refused worker", RawGrpcPeer.Name, "maximum of 4 workers (--max-workers)").Count);
        Assert.Equal(2, cluster.LogLinesWith("Registration of worker", RawGrpcPeer.Name, "expired").Count);
        Assert.Equal(["local-1", "local-1", "local-2"], cluster.Coordinator.Workers.Connected.Select(w => w.Name).Order());
    }

    [Fact]
    public async Task RegistrationTricklingOneByteASecondIsCutAndTheRunGoesOn()
    {
        var elapsed = TimeSpan.Zero;
        var (outcome, _) = await AttackBetweenStepsAsync(
            async cluster =>
            {
                using var peer = new RawGrpcPeer(cluster.Address, cluster.CertificateFolder!);
                var started = TimeProvider.System.GetTimestamp();
                var cut = await peer.RegisterRawAsync((body, ended) => TrickleAsync(body, ended));
                elapsed = TimeProvider.System.GetElapsedTime(started);
                return cut;
            },
            options =>
            {
                options.StepTimeout = TimeSpan.FromSeconds(20);
                options.DataRateGracePeriod = TimeSpan.FromSeconds(2);
            });

        output.WriteLine($"trickling registration cut after {elapsed.TotalSeconds:0.0} s: {outcome}");
        Assert.Null(outcome.Status);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WorkStreamTricklingOneByteASecondIsDroppedAtItsResultDeadlineAndTheRunGoesOn()
    {
        var steps = ShortTrainingRun.Steps(4);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync(options =>
        {
            options.StepTimeout = TimeSpan.FromSeconds(3);
            options.ResultDeadlineFloor = TimeSpan.FromSeconds(1);
        });
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        using var peer = new RawGrpcPeer(cluster.Address, cluster.CertificateFolder!);
        Task<RawGrpcOutcome>? trickling = null;

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == 1)
            {
                var id = (await peer.RegisterAsync(cluster.Coordinator.Workers.Connected[0].DeviceKind)).Accepted.WorkerId;
                trickling = peer.WorkAsync(id, TrickleAsync);
                await cluster.WaitForWorkersAsync(3);
            }
        });
        var outcome = await trickling!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(expected, actual);
        Assert.Equal(StatusCode.Aborted, outcome.Status);
        Assert.StartsWith("step 2, shards [", outcome.Detail);
        Assert.EndsWith("): no result for step 2 within its deadline of 3 s", outcome.Detail);
        Assert.Single(cluster.LogLinesWith("Dropped worker", RawGrpcPeer.Name, "no result for step 2"));
        Assert.Equal(["local-1", "local-2"], cluster.Coordinator.Workers.Connected.Select(w => w.Name).Order());
    }

    /// <summary>
    /// Runs a short job on two workers with <paramref name="attack"/> made between steps 1 and 2; checks that the job
    /// ended with an undisturbed run's weights on its two workers, and reports what the process allocated meanwhile:
    /// the attack's outcome and the coordinator's log.
    /// </summary>
    private async Task<(RawGrpcOutcome Outcome, IReadOnlyList<string> Log)> AttackBetweenStepsAsync(
        Func<ClusterHarness, Task<RawGrpcOutcome>> attack, Action<CoordinatorOptions>? configure = null)
    {
        var steps = ShortTrainingRun.Steps(4);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync(configure);
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        RawGrpcOutcome? outcome = null;
        var allocated = 0L;

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == 1)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                outcome = await attack(cluster);
                allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            }
        });

        output.WriteLine($"allocated during the attack (coordinator and attacker): {allocated / 1024.0 / 1024:0.0} MiB");
        Assert.Equal(expected, actual);
        Assert.InRange(allocated, 0, AllocationBound);
        Assert.Equal(["local-1", "local-2"], cluster.Coordinator.Workers.Connected.Select(w => w.Name).Order());
        Assert.Empty(cluster.LogLinesWith("Dropped worker"));
        Assert.Empty(cluster.LogLinesWith("Lost worker local-"));
        return (outcome!, cluster.Logs.Lines);
    }

    /// <summary>Registers on a fresh connection of <paramref name="cluster"/> and writes <paramref name="body"/> on its work stream.</summary>
    private static async Task<RawGrpcOutcome> OversizeAsync(
        ClusterHarness cluster, Func<Stream, CancellationToken, Task> body)
    {
        using var peer = new RawGrpcPeer(cluster.Address, cluster.CertificateFolder!);
        var id = (await peer.RegisterAsync(cluster.Coordinator.Workers.Connected[0].DeviceKind)).Accepted.WorkerId;
        return await peer.WorkAsync(id, body);
    }

    /// <summary>
    /// gRPC refuses the message by its declared length with <c>ResourceExhausted</c>; the coordinator counts the stream
    /// as lost and ends it with <c>Aborted</c> naming that status, in one log line.
    /// </summary>
    private static void AssertRefusedForSize((RawGrpcOutcome Outcome, IReadOnlyList<string> Log) attack)
    {
        var refusal = $"work stream broke: Status(StatusCode=\"ResourceExhausted\", Detail=\"{OverLimit}\")";
        Assert.Equal(StatusCode.Aborted, attack.Outcome.Status);
        Assert.Equal(refusal, attack.Outcome.Detail);
        var line = Assert.Single(attack.Log, line => line.Contains("Lost worker", StringComparison.Ordinal));
        Assert.Contains(RawGrpcPeer.Name, line);
        Assert.EndsWith(refusal, line);
    }

    /// <summary>A message prefix declaring 100 bytes, then one byte a second until the call ends.</summary>
    private static async Task TrickleAsync(Stream body, CancellationToken ended)
    {
        await body.WriteAsync(RawGrpcPeer.Prefix(100), ended);
        try
        {
            while (!ended.IsCancellationRequested)
            {
                await body.WriteAsync(new byte[1], ended);
                await body.FlushAsync(ended);
                await Task.Delay(TimeSpan.FromSeconds(1), ended);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
    }

    /// <summary>A valid registration padded with an unknown field to <paramref name="size"/> bytes.</summary>
    private static byte[] PaddedRegistration(int size)
    {
        var request = new RegisterRequest
        {
            Name = "padded",
            DeviceKind = "cpu",
            Threads = 1,
            ProtocolVersion = (uint)ProtocolVersion.Current,
        };
        var valid = request.ToByteArray();
        var padding = size - valid.Length - 4;
        // Field 1000, wire type 2: a two-byte tag and a two-byte length, then the padding.
        return [.. valid, 0xC2, 0x3E, (byte)(0x80 | (padding & 0x7F)), (byte)(padding >> 7), .. new byte[padding]];
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
