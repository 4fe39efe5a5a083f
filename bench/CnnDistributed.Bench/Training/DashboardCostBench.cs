using System.Net;
using CnnDistributed.Bench.Cluster;
using CnnDistributed.Coordinator.Dashboard;
using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Coordinator.Progress;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Coordinator.Tracing;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Bench.Training;

/// <summary>
/// What watching a run costs: whole epochs of the training loop (test evaluation included) on one local cluster, with
/// <c>--dashboard</c> on and no client (a <see cref="RunMonitor"/> sampling the cluster, its
/// <see cref="DashboardEndpoint"/> listening) or with <c>--trace</c> recording every step, against neither. Each round
/// runs both ways back to back, starting with the other one each round; the measured way's epoch throughput is reported
/// as a percentage of the baseline's, the last line of each batch size the medians.
/// </summary>
public static class DashboardCostBench
{
    /// <summary>The observed ways: <c>dashboard</c> and <c>trace</c>.</summary>
    public static IReadOnlyList<string> Ways { get; } = ["dashboard", "trace"];

    public static async Task RunAsync(
        string way,
        TrainingExecution execution,
        Func<WorkerRegistry> registry,
        MnistDataset data,
        IReadOnlyList<int> batchSizes,
        int threads,
        int shards,
        int rounds,
        TimeSpan duration,
        Action<PairedRecord> report,
        CancellationToken cancellationToken)
    {
        var executor = (DistributedStepExecutor)execution.Executor;
        foreach (var batchSize in batchSizes)
        {
            var probe = await TrainAsync(execution, data, batchSize, shards, 1, new SilentProgressSink(), cancellationToken);
            var epochs = Math.Max(1, (int)Math.Round(duration.TotalSeconds / probe.WallSeconds));
            var pairs = new List<(TrainingResult On, TrainingResult Off)>();
            for (var round = 1; round <= rounds; round++)
            {
                TrainingResult on, off;
                if (round % 2 == 1)
                {
                    on = await ObservedAsync();
                    off = await UnobservedAsync();
                }
                else
                {
                    off = await UnobservedAsync();
                    on = await ObservedAsync();
                }
                pairs.Add((on, off));
                report(Record(way, round, on.Steps, on.WallSeconds, Throughput(on), Throughput(off)));
            }
            report(Record(
                $"{way}-median",
                rounds,
                pairs[0].On.Steps,
                PairedCostBench.Median(pairs.Select(p => p.On.WallSeconds)),
                PairedCostBench.Median(pairs.Select(p => Throughput(p.On))),
                PairedCostBench.Median(pairs.Select(p => Throughput(p.Off)))) with
            {
                PercentOfBaseline = PairedCostBench.Median(pairs.Select(p => 100 * Throughput(p.On) / Throughput(p.Off))),
            });

            async Task<TrainingResult> UnobservedAsync()
            {
                await SettleAsync(cancellationToken);
                return await TrainAsync(execution, data, batchSize, shards, epochs, new SilentProgressSink(), cancellationToken);
            }

            async Task<TrainingResult> ObservedAsync()
            {
                if (way == "trace")
                {
                    executor.Trace = new StepTrace(TimeProvider.System, int.MaxValue - StepTrace.WarmupSteps);
                    await SettleAsync(cancellationToken);
                    try
                    {
                        return await TrainAsync(execution, data, batchSize, shards, epochs, new SilentProgressSink(), cancellationToken);
                    }
                    finally
                    {
                        executor.Trace = null;
                    }
                }
                var description = new RunDescription("bench", new Dictionary<string, object?>(), 1, epochs, batchSize, shards);
                using var monitor = new RunMonitor(description, new RunEventLog(TimeProvider.System), TimeProvider.System);
                monitor.Watch(registry());
                await using var endpoint = await DashboardEndpoint.StartAsync(IPAddress.Loopback, 0, monitor, cancellationToken);
                monitor.Started("bench", epochs, execution.Executor);
                await SettleAsync(cancellationToken);
                return await TrainAsync(execution, data, batchSize, shards, epochs, new MonitoredProgress(monitor, new SilentProgressSink()), cancellationToken);
            }

            PairedRecord Record(string what, int round, long steps, double seconds, double on, double off) =>
                new(new BenchRecord(what, execution.Executor.DeviceKind, threads, execution.Executor.Workers, batchSize, on, steps, seconds))
                {
                    Round = round,
                    Baseline = $"{way}-off ({epochs} epochs each)",
                    BaselineSamplesPerSecond = off,
                    PercentOfBaseline = 100 * on / off,
                };
        }
    }

    /// <summary>
    /// The same pause before either way's measurement: in a run the dashboard starts before the workers join, so the
    /// measured steps must not share the cores with Kestrel starting; and a pause before only one way would measure
    /// the workers waking from idle against workers still busy.
    /// </summary>
    private static Task SettleAsync(CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);

    /// <summary>Samples per second of whole epochs, test evaluations included: the inverse of the epoch time.</summary>
    private static double Throughput(TrainingResult result) => result.Samples / result.WallSeconds;

    private static Task<TrainingResult> TrainAsync(
        TrainingExecution execution, MnistDataset data, int batchSize, int shards, int epochs, IProgressSink progress, CancellationToken cancellationToken)
    {
        var options = new TrainingOptions { BatchSize = batchSize, Shards = shards, Epochs = epochs };
        var loop = new TrainingLoop(options, data, execution.Executor, execution.Evaluator);
        return loop.RunAsync(WeightInitializer.Create(1), progress, null, null, cancellationToken);
    }
}
