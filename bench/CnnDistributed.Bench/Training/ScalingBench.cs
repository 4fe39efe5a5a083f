using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Bench.Training;

/// <summary>
/// <c>scaling</c>: the distributed step path against the in-process engine in one command. Each round measures, back to back,
/// the in-process engine on all the workers' threads, the same job through loopback gRPC workers, and (where the shape
/// allows) the raw-socket floor, starting with a different one each round, and reports the distributed figure as a
/// percentage of the in-process one of the same round. On a shared machine whose speed drifts by tens of percent within
/// minutes, only such same-round ratios mean anything; rounds repeat the comparison to show its spread.
/// </summary>
public static class ScalingBench
{
    private static readonly TimeSpan RewarmUp = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Measures <paramref name="rounds"/> rounds: <paramref name="inProcess"/> (the in-process engine on
    /// <c>workers × threads</c> threads), <paramref name="distributed"/> (the job through <paramref name="workers"/>
    /// loopback gRPC workers) and <paramref name="floor"/> (the same job on raw sockets, or null where the floor cannot
    /// take the job's shape), calling <paramref name="report"/> with each round's record as soon as it is measured.
    /// </summary>
    public static async Task RunAsync(
        IStepExecutor inProcess,
        IStepExecutor distributed,
        IStepExecutor? floor,
        MnistSplit train,
        IReadOnlyList<int> batchSizes,
        int workers,
        int threads,
        int shardCount,
        int rounds,
        TimeSpan warmUp,
        TimeSpan duration,
        Action<ScalingRecord> report,
        CancellationToken cancellationToken = default)
    {
        var measured = new List<(string What, IStepExecutor Executor, int Threads)> { ("train", inProcess, workers * threads), ("train", distributed, threads) };
        if (floor is not null)
        {
            measured.Add(("tcp-floor", floor, threads));
        }
        var results = new BenchRecord[measured.Count];
        for (var round = 1; round <= rounds; round++)
        {
            var settle = round == 1 ? warmUp : RewarmUp;
            foreach (var batchSize in batchSizes)
            {
                // Each round starts with the next executor in turn: on a shared machine the slot in a round biases a figure.
                for (var k = 0; k < measured.Count; k++)
                {
                    var i = (round - 1 + k) % measured.Count;
                    results[i] = await ThroughputMeter.RunAsync(measured[i].What, measured[i].Executor, train, batchSize, shardCount, measured[i].Threads, settle, duration, cancellationToken);
                }
                var (local, remote) = (results[0], results[1]);
                var bare = floor is null ? null : results[2];
                report(new ScalingRecord(remote with { What = "scaling" })
                {
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
