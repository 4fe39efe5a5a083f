using System.Diagnostics;
using System.Numerics;
using CnnDistributed.Coordinator.Cluster;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// <c>bench --what coordinator --workers N</c>: N simulated workers over loopback gRPC that answer at once with a
/// precomputed gradient, so the step rate measures the coordinator (assignment, weights broadcast, validation, tree sum).
/// The weights change every step, so every step broadcasts them to every worker.
/// </summary>
public static class CoordinatorCapacityBench
{
    public static async Task<BenchRecord> RunAsync(int workers, int batchSize, TimeSpan warmUp, TimeSpan duration, Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default)
    {
        var shardCount = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, workers));
        await using var host = await DistributedTrainingHost.StartAsync("http://127.0.0.1:0", new CoordinatorOptions { ShardCount = shardCount }, configureLogging, cancellationToken: cancellationToken);
        var simulated = new List<SimulatedWorker>();
        try
        {
            for (var i = 0; i < workers; i++)
            {
                simulated.Add(await SimulatedWorker.StartAsync(host.Address, $"sim-{i + 1}", cancellationToken));
            }
            await host.WaitForWorkersAsync(workers, TimeSpan.FromSeconds(30), cancellationToken);
            var executor = host.Executor;
            var work = SyntheticStep(batchSize, shardCount);
            var parameters = WeightInitializer.Create(1);
            var gradient = new float[ModelShape.ParameterCount];

            var warmUpClock = Stopwatch.StartNew();
            while (warmUpClock.Elapsed < warmUp)
            {
                parameters[0] += 1e-3f;
                await executor.ComputeAsync(work, parameters, gradient, cancellationToken);
            }
            var timingsBefore = executor.Total;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var steps = 0L;
            while (clock.Elapsed < duration)
            {
                parameters[0] += 1e-3f;
                await executor.ComputeAsync(work, parameters, gradient, cancellationToken);
                steps++;
            }
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var timings = executor.Total - timingsBefore;
            return new BenchRecord("coordinator", SimulatedWorker.DeviceKind, 0, workers, batchSize, steps * batchSize / seconds, steps, seconds)
            {
                StepsPerSecond = steps / seconds,
                CoordinatorCpuMsPerStep = (timings.SerializationSeconds + timings.AggregationSeconds) * 1000 / steps,
                ProcessCpuMsPerStep = cpu.TotalMilliseconds / steps,
                BytesPerStep = (double)(timings.BytesSent + timings.BytesReceived) / steps,
                BytesPerStepWithoutSamples = (double)(timings.BytesSent + timings.BytesReceived) / steps - (double)batchSize * (ModelShape.Pixels + 1),
                MinimumBytesPerStep = 2.0 * workers * StepResultValidator.GradientBytes,
            };
        }
        finally
        {
            await host.Executor.DisposeAsync();
            foreach (var worker in simulated)
            {
                await worker.DisposeAsync();
            }
        }
    }

    private static StepWork SyntheticStep(int batchSize, int shardCount)
    {
        var all = ShardSamples.Create(new byte[batchSize * ModelShape.Pixels], new byte[batchSize]);
        var plan = new ShardPlan(shardCount);
        var shards = Enumerable.Range(0, shardCount).Select(s => plan.Range(batchSize, s)).Select(r => all.Slice(r.Start, r.Count)).ToArray();
        return new StepWork(0, 0, batchSize, shards);
    }
}
