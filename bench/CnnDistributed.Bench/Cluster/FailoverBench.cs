using System.Diagnostics;
using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace CnnDistributed.Bench.Cluster;

/// <summary>
/// Detection time: a coordinator with default options and two loopback workers (plaintext HTTP/2); in each trial one worker is killed
/// (its runtime cancelled, closing its connection as a dying process does) while it computes its shards, and the time
/// from the kill to its shards being sent to the survivor is measured.
/// </summary>
public static class FailoverBench
{
    public static async Task<FailoverRecord> RunAsync(MnistSplit train, int batchSize, int shards, int threads, int trials, CancellationToken cancellationToken)
    {
        await using var host = await DistributedTrainingHost.StartAsync(
            "http://127.0.0.1:0", new TrainingOptions { Shards = shards }, tls: null, cancellationToken: cancellationToken);
        await using var survivor = InProcessWorkers.StartCpu(host.Address, 1, threads, tls: null, NullLoggerFactory.Instance);
        var source = new StepWorkSource(train, batchSize, shards);
        var parameters = WeightInitializer.Create(1);
        var gradient = new float[ModelShape.ParameterCount];
        var detections = new List<double>();
        var steps = 0L;
        while (detections.Count < trials)
        {
            var doomed = InProcessWorkers.StartCpu(host.Address, 1, threads, tls: null, NullLoggerFactory.Instance);
            await host.WaitForWorkersAsync(2, TimeSpan.FromSeconds(30), cancellationToken);
            for (var warm = 0; warm < 3; warm++, steps++)
            {
                await host.Executor.ComputeAsync(source.Next(), parameters, gradient, cancellationToken);
            }
            var before = host.Executor.LastReassignment;
            var step = host.Executor.ComputeAsync(source.Next(), parameters, gradient, cancellationToken).AsTask();
            var killedAt = Stopwatch.GetTimestamp();
            await doomed.DisposeAsync();
            await step;
            steps++;
            if (host.Executor.LastReassignment is { } reassignment && reassignment != before)
            {
                detections.Add(Stopwatch.GetElapsedTime(killedAt, reassignment.ReassignedAt).TotalMilliseconds);
            }
            while (host.Workers.Connected.Count > 1)
            {
                await Task.Delay(10, cancellationToken);
            }
        }
        detections.Sort();
        return new FailoverRecord(new BenchRecord("failover", host.Executor.DeviceKind, threads, 2, batchSize, 0, steps, detections.Sum() / 1000))
        {
            FailoverMsMedian = detections[detections.Count / 2],
            FailoverMsMax = detections[^1],
            FailoverTrials = detections.Count,
        };
    }
}
