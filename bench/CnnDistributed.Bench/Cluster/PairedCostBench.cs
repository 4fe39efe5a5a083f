using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Core.Data;

namespace CnnDistributed.Bench.Cluster;

/// <summary>
/// One way of running a paired measurement: the cluster it trains on and what to switch before each of its
/// measurements (nothing when the way has a cluster of its own).
/// </summary>
public sealed record PairedArm(string Name, TrainingExecution Execution, Action? Enter = null);

/// <summary>
/// What one feature costs, measured in the same run. <c>tls</c> trains on two local clusters that differ only in that
/// feature; <c>checks</c> and <c>spot-checks</c> train on one cluster and flip the coordinator's switch between
/// measurements, so that the two ways share processes, connections and memory layout. Each round measures both ways
/// back to back, starting with the other one each round, and reports the measured way's samples/s as a percentage of
/// the baseline's in the same round. The last line of each batch size holds the medians over the rounds.
/// </summary>
public static class PairedCostBench
{
    public static async Task RunAsync(
        string what,
        PairedArm measured,
        PairedArm baseline,
        MnistSplit train,
        IReadOnlyList<int> batchSizes,
        int threads,
        int shardCount,
        int rounds,
        TimeSpan warmUp,
        TimeSpan duration,
        Action<PairedRecord> report,
        CancellationToken cancellationToken = default)
    {
        foreach (var batchSize in batchSizes)
        {
            var pairs = new List<(double Measured, double Baseline)>();
            for (var round = 1; round <= rounds; round++)
            {
                var settle = round == 1 ? warmUp : warmUp / 4;
                BenchRecord first, other;
                if (round % 2 == 1)
                {
                    first = await MeasureAsync(measured, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                    other = await MeasureAsync(baseline, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                }
                else
                {
                    other = await MeasureAsync(baseline, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                    first = await MeasureAsync(measured, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                }
                pairs.Add((first.SamplesPerSecond, other.SamplesPerSecond));
                report(new PairedRecord(first with { What = what })
                {
                    Round = round,
                    Baseline = baseline.Name,
                    BaselineSamplesPerSecond = other.SamplesPerSecond,
                    BaselineProcessCpuMsPerStep = other.ProcessCpuMsPerStep,
                    PercentOfBaseline = 100 * first.SamplesPerSecond / other.SamplesPerSecond,
                });
            }
            var workers = measured.Execution.Executor.Workers;
            report(new PairedRecord(new BenchRecord($"{what}-median", "", threads, workers, batchSize, Median(pairs.Select(p => p.Measured)), 0, 0))
            {
                Round = rounds,
                Baseline = baseline.Name,
                BaselineSamplesPerSecond = Median(pairs.Select(p => p.Baseline)),
                PercentOfBaseline = Median(pairs.Select(p => 100 * p.Measured / p.Baseline)),
            });
        }
    }

    private static Task<BenchRecord> MeasureAsync(
        PairedArm arm,
        MnistSplit train,
        int batchSize,
        int shardCount,
        int threads,
        TimeSpan warmUp,
        TimeSpan duration,
        CancellationToken cancellationToken)
    {
        arm.Enter?.Invoke();
        return ThroughputMeter.RunAsync(
            "train", arm.Execution.Executor, train, batchSize, shardCount, threads, warmUp, duration, cancellationToken);
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
