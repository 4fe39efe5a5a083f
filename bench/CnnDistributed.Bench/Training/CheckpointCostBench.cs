using CnnDistributed.Coordinator.Throughput;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Bench.Training;

/// <summary>
/// The cost of fault tolerance: training samples/s of the same job with a checkpoint every
/// <see cref="CheckpointEvery"/> steps against none, alternating the two runs to cancel drift.
/// </summary>
public static class CheckpointCostBench
{
    public const int CheckpointEvery = 100;
    private const int Rounds = 3;

    public static async Task<CheckpointRecord> RunAsync(IStepExecutor executor, IComputeBackend evaluator, MnistDataset data, int batchSize, int shards, int threads, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var directory = new ScratchDirectory();
        var probe = await TrainAsync(executor, evaluator, data, batchSize, shards, CheckpointEvery, null, cancellationToken);
        var steps = Math.Max(2 * CheckpointEvery, (long)(probe.SamplesPerSecond * duration.TotalSeconds / (2 * Rounds) / batchSize));
        double without = 0, with = 0;
        for (var round = 0; round < Rounds; round++)
        {
            without += (await TrainAsync(executor, evaluator, data, batchSize, shards, steps, null, cancellationToken)).SamplesPerSecond / Rounds;
            with += (await TrainAsync(executor, evaluator, data, batchSize, shards, steps, new CheckpointWriter(directory.Path, CheckpointEvery), cancellationToken)).SamplesPerSecond / Rounds;
        }
        return new CheckpointRecord(new BenchRecord("checkpoint", executor.DeviceKind, threads, executor.Workers, batchSize, with, steps, steps * batchSize / with))
        {
            CheckpointEvery = CheckpointEvery,
            BaselineSamplesPerSecond = without,
            OverheadPercent = 100 * (without - with) / without,
        };
    }

    private static Task<TrainingResult> TrainAsync(IStepExecutor executor, IComputeBackend evaluator, MnistDataset data, int batchSize, int shards, long steps, ICheckpointSink? checkpoints, CancellationToken cancellationToken)
    {
        var options = new TrainingOptions { BatchSize = batchSize, Shards = shards, MaxSteps = steps, Epochs = int.MaxValue / 2 };
        var loop = new TrainingLoop(options, data, executor, evaluator);
        return loop.RunAsync(WeightInitializer.Create(1), new IgnoredProgress(), null, checkpoints, cancellationToken);
    }

    private sealed class IgnoredProgress : IProgressSink
    {
        public void OnStep(StepProgress progress)
        {
        }

        public void OnEpoch(EpochMetrics metrics)
        {
        }
    }

    private sealed class ScratchDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("cnnd-checkpoint-bench-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
