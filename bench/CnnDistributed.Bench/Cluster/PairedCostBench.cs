using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Core.Data;

namespace CnnDistributed.Bench.Cluster;

/// <summary>
/// What one feature costs, measured in the same run: the same job runs on two local clusters that differ only in
/// that feature (<c>tls</c>: mutual TLS against <c>--insecure</c>; <c>checks</c>: the result checks on against off).
/// Each round measures both back to back, starting with the other one each round, and reports the measured way's
/// samples/s as a percentage of the baseline's in the same round. The last line of each batch size holds the medians
/// over the rounds.
/// </summary>
public static class PairedCostBench
{
    public static async Task RunAsync(
        string what,
        TrainingExecution measured,
        string baselineName,
        TrainingExecution baseline,
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
                    Baseline = baselineName,
                    BaselineSamplesPerSecond = other.SamplesPerSecond,
                    BaselineProcessCpuMsPerStep = other.ProcessCpuMsPerStep,
                    PercentOfBaseline = 100 * first.SamplesPerSecond / other.SamplesPerSecond,
                });
            }
            var workers = measured.Executor.Workers;
            report(new PairedRecord(new BenchRecord($"{what}-median", "", threads, workers, batchSize, Median(pairs.Select(p => p.Measured)), 0, 0))
            {
                Round = rounds,
                Baseline = baselineName,
                BaselineSamplesPerSecond = Median(pairs.Select(p => p.Baseline)),
                PercentOfBaseline = Median(pairs.Select(p => 100 * p.Measured / p.Baseline)),
            });
        }
    }

    private static Task<BenchRecord> MeasureAsync(
        TrainingExecution execution,
        MnistSplit train,
        int batchSize,
        int shardCount,
        int threads,
        TimeSpan warmUp,
        TimeSpan duration,
        CancellationToken cancellationToken) =>
        ThroughputMeter.RunAsync(
            "train", execution.Executor, train, batchSize, shardCount, threads, warmUp, duration, cancellationToken);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
