using CnnDistributed.Hosting.Tls;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Security;

/// <summary>
/// A worker process that cannot trust the coordinator it dialled refuses to talk to it: it exits with code 2 and one
/// stderr line that names the reason, never joins, and the job running there finishes with the weights of an
/// undisturbed run.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WorkerRefusalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    /// <summary>
    /// 127.0.0.2 reaches the coordinator (it listens on all interfaces) but is not among the names its certificate
    /// holds (the --host names and localhost, 127.0.0.1, ::1).
    /// </summary>
    [Fact]
    public async Task CoordinatorNameMissingFromItsCertificateIsRefusedByTheWorkerAndTheRunGoesOn()
    {
        await using var cluster = await ClusterHarness.StartAsync(allInterfaces: true);
        var misdialled = new UriBuilder(cluster.Address) { Host = "127.0.0.2" }.Uri;

        await AssertWorkerRefusesWhileTheRunGoesOn(
            cluster,
            ["--coordinator", misdialled.ToString(), "--tls", cluster.CertificateFolder!],
            $"cannot connect to 127.0.0.2:{cluster.Address.Port}: its certificate was refused: "
                + "certificate 'coordinator' does not name 127.0.0.2");
    }

    [Fact]
    public async Task TlsWorkerAgainstAnInsecureCoordinatorRefusesPlaintextAndTheRunGoesOn()
    {
        await using var cluster = await ClusterHarness.StartAsync(insecure: true);
        using var certificates = new TempDirectory();
        TlsDirectory.Create(certificates.Path, [], 0, TimeSpan.FromDays(1), TimeProvider.System);
        var withTls = new UriBuilder(cluster.Address) { Scheme = Uri.UriSchemeHttps }.Uri;

        await AssertWorkerRefusesWhileTheRunGoesOn(
            cluster,
            ["--coordinator", withTls.ToString(), "--tls", certificates.Path],
            $"cannot connect to 127.0.0.1:{cluster.Address.Port}: the TLS handshake failed (is it running with "
                + "--insecure, or does it not trust this worker's certificate?)");
    }

    [Fact]
    public async Task CoordinatorWithACertificateFromAForeignCaIsRefusedByTheWorkerAndTheRunGoesOn()
    {
        await using var cluster = await ClusterHarness.StartAsync();
        using var foreignRun = new TempDirectory();
        TlsDirectory.Create(foreignRun.Path, [], 0, TimeSpan.FromDays(1), TimeProvider.System);

        await AssertWorkerRefusesWhileTheRunGoesOn(
            cluster,
            ["--coordinator", cluster.Address.ToString(), "--tls", foreignRun.Path],
            $"cannot connect to 127.0.0.1:{cluster.Address.Port}: its certificate was refused: "
                + "certificate 'coordinator' is not issued by this run's CA");
    }

    /// <summary>
    /// Runs a short job on two in-process workers of <paramref name="cluster"/> and, between steps 1 and 2, a worker
    /// process with <paramref name="transport"/> (its coordinator and TLS flags) that must exit with code 2 and the
    /// one stderr line ending in <paramref name="reason"/>, without ever joining.
    /// </summary>
    private static async Task AssertWorkerRefusesWhileTheRunGoesOn(
        ClusterHarness cluster, string[] transport, string reason)
    {
        var steps = ShortTrainingRun.Steps(4);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        var exitCode = -1;
        var stderr = "";

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == 1)
            {
                using var worker = WorkerProcess.Start(
                    [.. transport, "--name", "refusing", "--threads", "1", "--connect-attempts", "1"]);
                exitCode = await worker.WaitForExitAsync(Generous);
                stderr = worker.StandardError;
            }
        });

        Assert.Equal(expected, actual);
        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: coordinator ", line);
        Assert.EndsWith(" unreachable after 1 attempts: " + reason, line.TrimEnd());
        Assert.Empty(cluster.LogLinesWith("refusing"));
        Assert.Equal(["local-1", "local-2"], cluster.Coordinator.Workers.Connected.Select(w => w.Name).Order());
    }
}
