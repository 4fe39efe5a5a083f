using System.Diagnostics;
using System.Numerics.Tensors;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Throughput;

/// <summary>
/// Trains through any step executor for a fixed time after a warm-up and reports samples/s; for a distributed
/// executor also its per-step timings and bytes on the wire against the minimum.
/// </summary>
public static class ThroughputMeter
{
    public static async Task<BenchRecord> RunAsync(
        string what,
        IStepExecutor executor,
        MnistSplit train,
        int batchSize,
        int shardCount,
        int threads,
        TimeSpan warmUp,
        TimeSpan duration,
        CancellationToken cancellationToken = default)
    {
        var source = new StepWorkSource(train, batchSize, shardCount);
        var parameters = WeightInitializer.Create(1);
        var optimizer = new SgdOptimizer(0f, false, 0f, ModelShape.ParameterCount);
        var gradient = new float[ModelShape.ParameterCount];

        async Task StepAsync()
        {
            var work = source.Next();
            await executor.ComputeAsync(work, parameters, gradient, cancellationToken);
            TensorPrimitives.Multiply(gradient, 1f / work.BatchCount, gradient);
            optimizer.Step(parameters, gradient, 0.1f);
        }

        var warmUpClock = Stopwatch.StartNew();
        while (warmUpClock.Elapsed < warmUp)
        {
            await StepAsync();
        }
        var distributed = executor as DistributedStepExecutor;
        var timingsBefore = distributed?.Total ?? StepTimings.Zero;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var steps = 0L;
        var samples = 0L;
        while (clock.Elapsed < duration)
        {
            await StepAsync();
            steps++;
            samples += batchSize;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var record = new BenchRecord(
            what, executor.DeviceKind, threads, executor.Workers, batchSize, samples / seconds, steps, seconds)
        {
            StepsPerSecond = steps / seconds,
            ProcessCpuMsPerStep = cpu.TotalMilliseconds / steps,
        };
        if (distributed is null)
        {
            return record;
        }
        var total = distributed.Total - timingsBefore;
        return record.WithStepPath(total, steps) with { TimingsPerStep = Scale(total, 1.0 / steps) };
    }

    private static StepTimings Scale(StepTimings t, double factor) => new(
        t.ComputeSeconds * factor,
        t.SerializationSeconds * factor,
        t.NetworkWaitSeconds * factor,
        t.AggregationSeconds * factor,
        (long)(t.BytesSent * factor),
        (long)(t.BytesReceived * factor));
}
