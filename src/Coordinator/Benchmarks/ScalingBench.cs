using CnnDistributed.Core.Data;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// <c>bench --what scaling</c>: goal (a) of the distributed design in one command. Each round measures, back to back and
/// in this order, the in-process engine on all the workers' threads, the same job through loopback gRPC workers, and
/// (where the shape allows) the raw-socket floor, and reports the distributed figure as a percentage of the in-process
/// one of the same round. On a shared machine whose speed drifts by tens of percent within minutes, only such
/// same-round ratios mean anything; rounds repeat the comparison to show its spread.
/// </summary>
public static class ScalingBench
{
    private static readonly TimeSpan RewarmUp = TimeSpan.FromMilliseconds(500);

    /// <param name="inProcess">The in-process engine with <c>workers × threads</c> threads.</param>
    /// <param name="distributed">The job through <paramref name="workers"/> loopback gRPC workers.</param>
    /// <param name="floor">The same job on raw sockets, or null where the floor cannot take the job's shape.</param>
    /// <param name="report">Called with each round's record as soon as it is measured.</param>
    public static async Task RunAsync(IStepExecutor inProcess, IStepExecutor distributed, IStepExecutor? floor, MnistSplit train, IReadOnlyList<int> batchSizes,
        int workers, int threads, int shardCount, int rounds, TimeSpan warmUp, TimeSpan duration, Action<BenchRecord> report, CancellationToken cancellationToken = default)
    {
        for (var round = 1; round <= rounds; round++)
        {
            var settle = round == 1 ? warmUp : RewarmUp;
            foreach (var batchSize in batchSizes)
            {
                var local = await ExecutorThroughputBench.RunAsync("train", inProcess, train, batchSize, shardCount, workers * threads, settle, duration, cancellationToken);
                var remote = await ExecutorThroughputBench.RunAsync("train", distributed, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                var bare = floor is null ? null : await ExecutorThroughputBench.RunAsync("tcp-floor", floor, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                report(remote with
                {
                    What = "scaling",
                    Round = round,
                    InProcessSamplesPerSecond = local.SamplesPerSecond,
                    PercentOfInProcess = 100 * remote.SamplesPerSecond / local.SamplesPerSecond,
                    FloorSamplesPerSecond = bare?.SamplesPerSecond,
                    FloorPercentOfInProcess = bare is null ? null : 100 * bare.SamplesPerSecond / local.SamplesPerSecond,
                });
            }
        }
    }
}
