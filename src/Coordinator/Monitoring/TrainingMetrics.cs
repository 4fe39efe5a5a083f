using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Core.Training;
using Prometheus;

namespace CnnDistributed.Coordinator.Monitoring;

/// <summary>
/// The coordinator's Prometheus metrics, in a registry of their own: progress (steps, epoch, samples/s, loss,
/// accuracy) from the training loop, and the connected workers with each one's latest step compute time, read from
/// the <see cref="WorkerRegistry"/> at every scrape (a worker that left loses its series).
/// </summary>
public sealed class TrainingMetrics
{
    private readonly Gauge _steps;
    private readonly Gauge _totalSteps;
    private readonly Gauge _epoch;
    private readonly Gauge _samplesPerSecond;
    private readonly Gauge _trainLoss;
    private readonly Gauge _trainAccuracy;
    private readonly Gauge _testLoss;
    private readonly Gauge _testAccuracy;
    private readonly Gauge _workersConnected;
    private readonly Gauge _workerStepSeconds;
    private readonly Gauge _workerSamplesPerSecond;

    public TrainingMetrics()
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        _steps = factory.CreateGauge("cnnd_steps", "Optimizer steps taken so far");
        _totalSteps = factory.CreateGauge("cnnd_total_steps", "Optimizer steps the job will take");
        _epoch = factory.CreateGauge("cnnd_epoch", "Current epoch (1-based)");
        _samplesPerSecond = factory.CreateGauge(
            "cnnd_samples_per_second", "Training samples per second, current epoch");
        _trainLoss = factory.CreateGauge("cnnd_train_loss", "Mean training cross-entropy, current epoch so far");
        _trainAccuracy = factory.CreateGauge("cnnd_train_accuracy", "Training accuracy, current epoch so far");
        _testLoss = factory.CreateGauge("cnnd_test_loss", "Test cross-entropy after the latest epoch");
        _testAccuracy = factory.CreateGauge("cnnd_test_accuracy", "Test accuracy after the latest epoch");
        _workersConnected = factory.CreateGauge("cnnd_workers_connected", "Workers with an open work stream");
        _workerStepSeconds = factory.CreateGauge(
            "cnnd_worker_step_seconds",
            "Seconds from assignment to result of each worker's latest step, as the coordinator measured them",
            "worker",
            "name");
        _workerSamplesPerSecond = factory.CreateGauge(
            "cnnd_worker_samples_per_second",
            "Throughput of each worker as the coordinator measured it (samples per second of round trip)",
            "worker",
            "name");
    }

    /// <summary>The gauges, as the <c>/metrics</c> endpoint serves them.</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>
    /// From now on every scrape reads the connected workers and their latest step times from
    /// <paramref name="workers"/>.
    /// </summary>
    public void Watch(WorkerRegistry workers) => Registry.AddBeforeCollectCallback(() => ReadWorkers(workers));

    public void Record(StepProgress progress)
    {
        _steps.Set(progress.Step);
        _totalSteps.Set(progress.TotalSteps);
        _epoch.Set(progress.Epoch);
        _samplesPerSecond.Set(progress.SamplesPerSecond);
        _trainLoss.Set(progress.TrainLoss);
        _trainAccuracy.Set(progress.TrainAccuracy);
    }

    public void Record(EpochMetrics metrics)
    {
        _testLoss.Set(metrics.TestLoss);
        _testAccuracy.Set(metrics.TestAccuracy);
    }

    private void ReadWorkers(WorkerRegistry workers)
    {
        var connected = workers.Connected;
        _workersConnected.Set(connected.Count);
        var present = connected.Select(w => (w.Id, w.Name)).ToHashSet();
        foreach (var gauge in (Gauge[])[_workerStepSeconds, _workerSamplesPerSecond])
        {
            foreach (var labels in gauge.GetAllLabelValues().Where(l => !present.Contains((l[0], l[1]))).ToList())
            {
                gauge.RemoveLabelled(labels);
            }
        }
        foreach (var worker in connected)
        {
            _workerStepSeconds.WithLabels(worker.Id, worker.Name).Set(worker.LastRoundTripSeconds);
            _workerSamplesPerSecond.WithLabels(worker.Id, worker.Name).Set(worker.SamplesPerSecond);
        }
    }
}
