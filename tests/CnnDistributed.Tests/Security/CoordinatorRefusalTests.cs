using CnnDistributed.Hosting.Tls;
using CnnDistributed.Tests.Infrastructure;
using CnnDistributed.Worker.Runtime.Transport;
using Grpc.Core;

namespace CnnDistributed.Tests.Security;

/// <summary>
/// Peers the coordinator turns away at the TLS layer while a job runs: each is refused with one log line that names
/// the reason, never joins, and the job finishes with the weights of an undisturbed run on the workers it had.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CoordinatorRefusalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public Task ClientWithoutCertificateIsRefusedAndTheRunGoesOn() =>
        AssertRefusedWhileTheRunGoesOn(
            "no client certificate",
            async cluster => await Assert.ThrowsAsync<RpcException>(
                () => StandardGrpcClient.RegisterAsync(cluster.Address, "without-certificate")));

    [Fact]
    public Task ClientCertificateFromAForeignCaIsRefusedAndTheRunGoesOn() =>
        AssertRefusedWhileTheRunGoesOn(
            "certificate 'worker' is not issued by this run's CA",
            async cluster =>
            {
                using var foreignRun = new TempDirectory();
                TlsDirectory.Create(foreignRun.Path, [], 0, TimeSpan.FromDays(1), TimeProvider.System);
                var foreign = TlsDirectory.LoadIdentity(foreignRun.Path, RunCertificateAuthority.SharedWorkerName);
                await AssertWorkerTurnedAwayAsync(cluster, "foreign", cluster.Presenting(foreign));
            });

    [Fact]
    public Task ExpiredClientCertificateIsRefusedAndTheRunGoesOn() =>
        AssertRefusedWhileTheRunGoesOn(
            "certificate 'expired-worker' is not valid now",
            async cluster =>
            {
                var expired = ExpiredCertificate.Issue(cluster.CertificateFolder!, "expired-worker");
                await AssertWorkerTurnedAwayAsync(cluster, "expired", cluster.Presenting(expired));
            });

    [Fact]
    public Task ServerCertificateUsedAsClientCertificateIsRefusedAndTheRunGoesOn() =>
        AssertRefusedWhileTheRunGoesOn(
            "certificate 'coordinator' is not a client certificate",
            async cluster =>
            {
                var server = TlsDirectory.LoadIdentity(cluster.CertificateFolder!, TlsDirectory.Coordinator);
                await AssertWorkerTurnedAwayAsync(cluster, "impostor", cluster.Presenting(server));
            });

    [Fact]
    public Task PlaintextH2cClientIsRefusedAndTheRunGoesOn() =>
        AssertRefusedWhileTheRunGoesOn(
            "it does not speak TLS",
            async cluster => await Assert.ThrowsAsync<RpcException>(() => StandardGrpcClient.RegisterAsync(
                new UriBuilder(cluster.Address) { Scheme = Uri.UriSchemeHttp }.Uri, "plaintext")));

    [Fact]
    public Task InsecureWorkerProcessIsRefusedByTheTlsCoordinatorAndTheRunGoesOn() =>
        AssertRefusedWhileTheRunGoesOn(
            "it does not speak TLS (plaintext HTTP/2 from a worker started with --insecure?); "
                + "this coordinator requires mutual TLS",
            async cluster =>
            {
                var plaintext = new UriBuilder(cluster.Address) { Scheme = Uri.UriSchemeHttp }.Uri;
                using var worker = WorkerProcess.Start(
                    "--coordinator", plaintext.ToString(), "--insecure", "--name", "insecure", "--threads", "1",
                    "--connect-attempts", "1");

                Assert.Equal(2, await worker.WaitForExitAsync(Generous));
                var line = Assert.Single(worker.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.StartsWith($"error: coordinator {plaintext} unreachable after 1 attempts: ", line);
            });

    /// <summary>
    /// Runs a short job on two workers with <paramref name="refusedAttempt"/> made between steps 1 and 2; checks that
    /// the coordinator logged one line naming <paramref name="reason"/> and that the job went on undisturbed.
    /// </summary>
    private static async Task AssertRefusedWhileTheRunGoesOn(string reason, Func<ClusterHarness, Task> refusedAttempt)
    {
        var steps = ShortTrainingRun.Steps(4);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync();
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == 1)
            {
                await refusedAttempt(cluster);
            }
        });

        Assert.Equal(expected, actual);
        var refusal = Assert.Single(cluster.LogLinesWith("Refused ", "connection from 127.0.0.1:", reason));
        Assert.StartsWith("Warning CnnDistributed.Coordinator.Security.", refusal);
        Assert.DoesNotContain('\n', refusal);
        Assert.Equal(["local-1", "local-2"], cluster.Coordinator.Workers.Connected.Select(w => w.Name).Order());
        Assert.Empty(cluster.LogLinesWith("Lost worker"));
        Assert.Empty(cluster.LogLinesWith("Dropped worker"));
    }

    /// <summary>A real worker runtime with <paramref name="tls"/>: it must end at once with a one-line error.</summary>
    private static async Task AssertWorkerTurnedAwayAsync(
        ClusterHarness cluster, string name, ClientTls tls)
    {
        var exit = await cluster.RunWorkerOnceAsync(name, tls).WaitAsync(Generous);

        Assert.Equal(2, exit.Code);
        Assert.StartsWith($"error: coordinator {cluster.Address} unreachable after 1 attempts: ", exit.Error);
        Assert.DoesNotContain('\n', exit.Error!);
    }
}
