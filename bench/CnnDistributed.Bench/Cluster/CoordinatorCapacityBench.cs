using System.Diagnostics;
using System.Numerics;
using CnnDistributed.Bench.Floor;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Bench.Cluster;

/// <summary>
/// <c>coordinator --workers N</c>: N workers over loopback gRPC whose backend answers at once
/// (<see cref="SimulatedWorkers"/>), over plaintext HTTP/2, so the step rate measures the coordinator (assignment, weights broadcast,
/// validation, tree sum) and the workers' protocol code. The weights change every step, so every step broadcasts them to
/// every worker.
/// </summary>
public static class CoordinatorCapacityBench
{
    public static async Task<BenchRecord> RunAsync(int workers, int batchSize, TimeSpan warmUp, TimeSpan duration, Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default)
    {
        var shardCount = ShardCountFor(workers);
        // A simulated worker computes in no time, which would earn it the shortest result deadline: one stall of this
        // process (another test's compute on its thread pool, say) would then drop every worker. The bench measures
        // throughput, not failure detection, so every result may take as long as a step may.
        var job = new TrainingOptions { Shards = shardCount };
        await using var host = await DistributedTrainingHost.StartAsync(
            "http://127.0.0.1:0",
            job,
            tls: null,
            options => options.ResultDeadlineFloor = options.StepTimeout,
            configureLogging,
            cancellationToken: cancellationToken);
        await using var simulated = SimulatedWorkers.Start(host.Address, workers);
        await host.WaitForWorkersAsync(workers, TimeSpan.FromSeconds(30), cancellationToken);
        try
        {
            return await MeasureAsync("coordinator", SimulatedBackend.Kind, host.Executor, workers, batchSize, shardCount, warmUp, duration, cancellationToken);
        }
        finally
        {
            await host.Executor.DisposeAsync();
        }
    }

    /// <summary>
    /// <c>coordinator-tcp-floor --workers N</c>: the same measurement against N worker threads on raw blocking
    /// loopback sockets that answer at once with a gradient of zeros (<see cref="RawTcpStepExecutor"/>): the step rate of a
    /// coordinator that pays only for the bytes.
    /// </summary>
    public static async Task<BenchRecord> RunFloorAsync(int workers, int batchSize, TimeSpan warmUp, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var shardCount = ShardCountFor(workers);
        await using var floor = new RawTcpStepExecutor(workers, 1, shardCount, simulated: true);
        return await MeasureAsync("coordinator-tcp-floor", SimulatedBackend.Kind, floor, workers, batchSize, shardCount, warmUp, duration, cancellationToken);
    }

    /// <summary>The shards per step of a capacity run: at least 8, and at least one per worker (a power of two).</summary>
    internal static int ShardCountFor(int workers) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, workers));

    private static async Task<BenchRecord> MeasureAsync(string what, string device, IStepExecutor executor, int workers, int batchSize, int shardCount, TimeSpan warmUp, TimeSpan duration, CancellationToken cancellationToken)
    {
        var work = SyntheticStep(batchSize, shardCount);
        var parameters = WeightInitializer.Create(1);
        var gradient = new float[ModelShape.ParameterCount];
        var distributed = executor as DistributedStepExecutor;

        var warmUpClock = Stopwatch.StartNew();
        while (warmUpClock.Elapsed < warmUp)
        {
            parameters[0] += 1e-3f;
            await executor.ComputeAsync(work, parameters, gradient, cancellationToken);
        }
        var timingsBefore = distributed?.Total ?? StepTimings.Zero;
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
        var record = new BenchRecord(what, device, 0, workers, batchSize, steps * batchSize / seconds, steps, seconds)
        {
            StepsPerSecond = steps / seconds,
            ProcessCpuMsPerStep = cpu.TotalMilliseconds / steps,
            MinimumBytesPerStep = BenchRecord.MinimumBytes(workers),
        };
        return distributed is null ? record : record.WithStepPath(distributed.Total - timingsBefore, steps);
    }

    private static StepWork SyntheticStep(int batchSize, int shardCount)
    {
        var all = ShardSamples.Create(new byte[batchSize * ModelShape.Pixels], new byte[batchSize]);
        var plan = new ShardPlan(shardCount);
        var shards = Enumerable.Range(0, shardCount).Select(s => plan.Range(batchSize, s)).Select(r => all.Slice(r.Start, r.Count)).ToArray();
        return new StepWork(0, 0, batchSize, shards);
    }
}
