using System.Diagnostics;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Bench;

/// <summary>
/// Training throughput: SGD steps over the (shuffled, repeating) training split, first a warm-up of
/// <see cref="WarmupTime"/> and at least <see cref="WarmupSteps"/> steps, then steps until the measuring time is up.
/// </summary>
public sealed class TrainingBenchmark(MnistSplit train, IStepExecutor executor, int shards)
{
    public static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(2);
    public const int WarmupSteps = 20;
    private const float LearningRate = 0.01f;

    public async Task<(long Steps, long Samples, TimeSpan Elapsed)> MeasureAsync(int batchSize, TimeSpan duration, CancellationToken cancellationToken)
    {
        var parameters = WeightInitializer.Create(1);
        var stepper = new MinibatchStepper(train, executor, new SgdOptimizer(0f, false, 0f, ModelShape.ParameterCount), shards, batchSize);
        var batches = Batches(batchSize).GetEnumerator();
        var warmup = Stopwatch.StartNew();
        for (var step = 0; step < WarmupSteps || warmup.Elapsed < WarmupTime; step++)
        {
            batches.MoveNext();
            await stepper.StepAsync(batches.Current, step, 0, LearningRate, parameters, cancellationToken);
        }
        long steps = 0;
        long samples = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            batches.MoveNext();
            await stepper.StepAsync(batches.Current, steps, 0, LearningRate, parameters, cancellationToken);
            steps++;
            samples += batches.Current.Length;
        }
        return (steps, samples, clock.Elapsed);
    }

    /// <summary>Full minibatches of a fresh shuffled order per pass, without end.</summary>
    private IEnumerable<ReadOnlyMemory<int>> Batches(int batchSize)
    {
        for (var epoch = 0; ; epoch++)
        {
            var order = EpochOrder.Create(train.Count, 1, epoch, shuffle: true);
            for (var start = 0; start + batchSize <= order.Length; start += batchSize)
            {
                yield return order.AsMemory(start, batchSize);
            }
        }
    }
}
