using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Distributed;

/// <summary>The worker executable as separate OS processes: the same bits as in-process training, and the job survives a killed worker.</summary>
[Trait("Category", "Integration")]
public sealed class WorkerProcessTests
{
    [Fact]
    public async Task TwoWorkerProcessesGiveTheLocalWeightsSha256AndExitZero()
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync();
        var first = cluster.StartWorkerProcess("proc-1");
        var second = cluster.StartWorkerProcess("proc-2");
        await cluster.WaitForWorkersAsync(2);

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps);
        await cluster.Coordinator.Executor.DisposeAsync();

        Assert.Equal(expected, actual);
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("done after", first.StandardOutput);
    }

    [Fact]
    public async Task KillingAWorkerProcessMidJobLeavesTheWeightsBitIdentical()
    {
        var steps = ShortTrainingRun.Steps(6);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        await using var cluster = await ClusterHarness.StartAsync();
        var doomed = cluster.StartWorkerProcess("doomed");
        var survivor = cluster.StartWorkerProcess("survivor");
        await cluster.WaitForWorkersAsync(2);

        var actual = await ShortTrainingRun.RunAsync(cluster.Coordinator.Executor, steps, afterStep: step =>
        {
            if (step == 2)
            {
                doomed.Kill();
            }
        });
        var workersAtEnd = cluster.Coordinator.Executor.Workers;
        await cluster.Coordinator.Executor.DisposeAsync();

        Assert.Equal(expected, actual);
        Assert.Equal(1, workersAtEnd);
        Assert.Contains(cluster.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("worker doomed (", StringComparison.Ordinal));
        Assert.Equal(0, await survivor.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task WorkerExitsWithCodeTwoWhenTheCoordinatorNeverComesUp()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var worker = WorkerProcess.Start("--coordinator", $"http://127.0.0.1:{port}", "--insecure", "--connect-attempts", "2");

        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"error: coordinator http://127.0.0.1:{port} unreachable after 2 attempts: ", worker.StandardError.Trim());
    }

    [Fact]
    public async Task WorkerExitsWithCodeTwoOnABadFlag()
    {
        using var worker = WorkerProcess.Start("--coordinator", "ftp://nowhere", "--insecure", "--threads", "1");

        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: --coordinator 'ftp://nowhere' is not an https:// or http:// URL", worker.StandardError.Trim());
    }
}
