using System.Net;
using CnnDistributed.Hosting;
using CnnDistributed.Coordinator.Monitoring;
using CnnDistributed.Core.Training;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Deployment;

[Trait("Category", "Integration")]
public sealed class HealthAndMetricsTests
{
    [Fact]
    public async Task HealthVerbReportsAHealthEndpointServing()
    {
        var port = LoopbackPort.Free();
        await using var endpoint = await GrpcHealthEndpoint.StartAsync(port, CancellationToken.None);

        var result = CliRunner.Run("health", $"http://127.0.0.1:{port}");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("SERVING", result.Stdout.Trim());
    }

    [Fact]
    public void HealthVerbFailsWhenNothingAnswers()
    {
        var result = CliRunner.Run("health", $"http://127.0.0.1:{LoopbackPort.Free()}", "--timeout", "2");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task MetricsEndpointServesTrainingProgressOverHttp1()
    {
        var metrics = new TrainingMetrics();
        metrics.Record(new StepProgress(1, 2, 42, 250, 0.5, 0.875, 12000, 3.5));
        var port = LoopbackPort.Free();
        await using var endpoint = MetricsEndpoint.Start(port, metrics);
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version11 };

        var body = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");

        Assert.Contains("cnnd_steps 42", body);
        Assert.Contains("cnnd_train_accuracy 0.875", body);
        Assert.Contains("cnnd_samples_per_second 12000", body);
    }

    [Fact]
    public async Task DepartedWorkersMetricSeriesDisappearFromMetrics()
    {
        await using var cluster = await ClusterHarness.StartAsync();
        var metrics = new TrainingMetrics();
        metrics.Watch(cluster.Coordinator.Workers);
        var port = LoopbackPort.Free();
        await using var endpoint = MetricsEndpoint.Start(port, metrics);
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version11 };
        cluster.StartInProcessWorkers(2);
        await cluster.WaitForWorkersAsync(2);
        var departing = cluster.Coordinator.Workers.Connected[0];
        var staying = cluster.Coordinator.Workers.Connected[1];

        var before = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        cluster.Coordinator.Workers.Drop(departing, "departed for the test");
        var after = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");

        Assert.Contains($"cnnd_worker_step_seconds{{worker=\"{departing.Id}\"", before);
        Assert.Contains($"cnnd_worker_samples_per_second{{worker=\"{departing.Id}\"", before);
        Assert.DoesNotContain(departing.Id, after);
        Assert.Contains($"cnnd_worker_step_seconds{{worker=\"{staying.Id}\"", after);
        Assert.Contains($"cnnd_worker_samples_per_second{{worker=\"{staying.Id}\"", after);
    }
}
