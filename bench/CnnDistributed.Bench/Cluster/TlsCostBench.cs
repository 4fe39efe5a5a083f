using CnnDistributed.Coordinator.Cli;
using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace CnnDistributed.Bench.Cluster;

/// <summary>
/// <c>tls</c>: what mutual TLS costs. The same job runs on two local clusters of <c>--workers</c> workers, one with
/// mutual TLS (the default) and one <c>--insecure</c>; each round measures both back to back, starting with the other
/// one each round, and reports TLS's samples/s as a percentage of plaintext's in the same round. The last line holds
/// the medians over the rounds.
/// </summary>
public static class TlsCostBench
{
    public static async Task RunAsync(
        MnistSplit train,
        IReadOnlyList<int> batchSizes,
        int workers,
        int threads,
        int shardCount,
        int rounds,
        TimeSpan warmUp,
        TimeSpan duration,
        Action<TlsRecord> report,
        CancellationToken cancellationToken = default)
    {
        var job = new TrainingOptions { Shards = shardCount };
        await using var secure = await StartAsync(job, workers, threads, insecure: false, cancellationToken);
        await using var plain = await StartAsync(job, workers, threads, insecure: true, cancellationToken);
        foreach (var batchSize in batchSizes)
        {
            var ratios = new List<(double Tls, double Plain)>();
            for (var round = 1; round <= rounds; round++)
            {
                var settle = round == 1 ? warmUp : warmUp / 4;
                BenchRecord tls, insecure;
                if (round % 2 == 1)
                {
                    tls = await MeasureAsync(secure, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                    insecure = await MeasureAsync(plain, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                }
                else
                {
                    insecure = await MeasureAsync(plain, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                    tls = await MeasureAsync(secure, train, batchSize, shardCount, threads, settle, duration, cancellationToken);
                }
                ratios.Add((tls.SamplesPerSecond, insecure.SamplesPerSecond));
                report(new TlsRecord(tls with { What = "tls" })
                {
                    Round = round,
                    InsecureSamplesPerSecond = insecure.SamplesPerSecond,
                    InsecureProcessCpuMsPerStep = insecure.ProcessCpuMsPerStep,
                    PercentOfInsecure = 100 * tls.SamplesPerSecond / insecure.SamplesPerSecond,
                });
            }
            var median = Median(ratios.Select(r => r.Tls));
            report(new TlsRecord(new BenchRecord("tls-median", "", threads, workers, batchSize, median, 0, 0))
            {
                Round = rounds,
                InsecureSamplesPerSecond = Median(ratios.Select(r => r.Plain)),
                PercentOfInsecure = Median(ratios.Select(r => 100 * r.Tls / r.Plain)),
            });
        }
    }

    private static Task<TrainingExecution> StartAsync(
        TrainingOptions job, int workers, int threads, bool insecure, CancellationToken cancellationToken) =>
        TrainingExecution.StartAsync(
            job,
            new RunOptions { Workers = workers, Threads = threads, Device = "cpu", Insecure = insecure },
            serve: null,
            serveTls: null,
            configureCoordinator: null,
            NullLoggerFactory.Instance,
            listening: null,
            cancellationToken);

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
