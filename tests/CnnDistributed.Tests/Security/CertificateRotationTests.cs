using CnnDistributed.Hosting.Tls;
using CnnDistributed.Tests.Infrastructure;
using CnnDistributed.Worker.Runtime;
using CnnDistributed.Worker.Runtime.Transport;

namespace CnnDistributed.Tests.Security;

/// <summary>
/// <c>serve --tls DIR</c> reloads DIR when its files change: connections made afterwards get the new certificate and
/// the new CA's policy, while work streams opened before go on to the end of the job.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CertificateRotationTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RotationToANewCaServesNewConnectionsWhileConnectedWorkersTrainToTheEnd()
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync();
        var connected = cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        var connectedIds = cluster.Coordinator.Workers.Connected.Select(w => w.Id).ToList();
        using var nextRun = new TempDirectory();
        TlsDirectory.Create(nextRun.Path, [], 0, TimeSpan.FromDays(1), TimeProvider.System);
        var nextCredentials = WorkerTls.Load(new WorkerOptions { Tls = nextRun.Path }, TimeProvider.System)!;
        WorkerExit? previousCredentials = null;
        WorkerExit? previousCertificate = null;
        Task<WorkerExit>? rotated = null;

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, async step =>
        {
            if (step == 1)
            {
                await cluster.RotateCertificatesAsync(nextRun.Path);
                previousCredentials = await cluster
                    .RunWorkerOnceAsync("previous-credentials", cluster.WorkerCredentials)
                    .WaitAsync(Generous);
                previousCertificate = await cluster.RunWorkerOnceAsync("previous-certificate", cluster.Tls("worker-1"))
                    .WaitAsync(Generous);
                rotated = cluster.RunWorkerOnceAsync("rotated", nextCredentials);
                await cluster.WaitForWorkersAsync(3);
            }
        });
        var workersAtTheEnd = cluster.Coordinator.Workers.Connected.Select(w => w.Name).Order().ToList();
        var idsAtTheEnd = cluster.Coordinator.Workers.Connected.Select(w => w.Id).ToList();
        await cluster.Coordinator.Executor.DisposeAsync();

        Assert.Equal(expected, actual);
        Assert.NotEmpty(cluster.LogLinesWith("Reloaded the certificates of", cluster.CertificateFolder!));
        Assert.Equal(2, previousCredentials!.Code);
        Assert.EndsWith(
            "its certificate was refused: certificate 'coordinator' is not issued by this run's CA",
            previousCredentials.Error);
        Assert.Equal(2, previousCertificate!.Code);
        var refusal = Assert.Single(cluster.LogLinesWith(
            "Refused a TLS connection from 127.0.0.1:", "certificate 'worker-1' is not issued by this run's CA"));
        Assert.DoesNotContain('\n', refusal);
        Assert.Equal(["local-1", "local-2", "rotated"], workersAtTheEnd);
        Assert.Equal(WorkerExit.Done, await rotated!.WaitAsync(Generous));
        Assert.All(await connected.Completion.WaitAsync(Generous), exit => Assert.Equal(WorkerExit.Done, exit));
        Assert.Equal(connectedIds, idsAtTheEnd.Take(2));
        Assert.Empty(cluster.LogLinesWith("Lost worker"));
        Assert.Empty(cluster.LogLinesWith("lost coordinator"));
    }
}
