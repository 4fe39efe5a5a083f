using System.Diagnostics;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Evaluation;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;

namespace CnnDistributed.Core.Training;

/// <summary>
/// A whole training job: per epoch a (seeded) order of the training set, minibatches of <see cref="TrainingOptions.BatchSize"/>
/// in that order (the last one may be shorter), one SGD step per minibatch through an <see cref="IStepExecutor"/>, and
/// a test-set evaluation after every epoch and after the last step when <see cref="TrainingOptions.MaxSteps"/> ends the
/// job mid-epoch. Free of console code: progress goes to an <see cref="IProgressSink"/>.
/// </summary>
public sealed class TrainingLoop(TrainingOptions options, MnistDataset data, IStepExecutor executor, IComputeBackend evaluationBackend)
{
    /// <summary>Optimizer steps in one epoch (the last minibatch may be short).</summary>
    public long StepsPerEpoch => (data.Train.Count + options.BatchSize - 1) / options.BatchSize;

    /// <summary>Steps the job will take: all epochs, or fewer when <see cref="TrainingOptions.MaxSteps"/> is smaller.</summary>
    public long TotalSteps => Math.Min(StepsPerEpoch * options.Epochs, options.MaxSteps ?? long.MaxValue);

    public async Task<TrainingResult> RunAsync(float[] initialParameters, IProgressSink progress, CancellationToken cancellationToken)
    {
        if (initialParameters.Length != ModelShape.ParameterCount)
        {
            throw new ArgumentException($"expected {ModelShape.ParameterCount} parameters, got {initialParameters.Length}", nameof(initialParameters));
        }
        if (data.Train.Count == 0)
        {
            throw new ArgumentException("the training split is empty", nameof(data));
        }
        var parameters = initialParameters.ToArray();
        var optimizer = new SgdOptimizer(options.Momentum, options.Nesterov, options.WeightDecay, ModelShape.ParameterCount);
        var stepper = new MinibatchStepper(data.Train, executor, optimizer, options.Shards, options.BatchSize);
        var schedule = new LearningRateSchedule(options, StepsPerEpoch, TotalSteps);
        var evaluator = new SplitEvaluator(evaluationBackend);
        var totalSteps = TotalSteps;
        var metrics = new List<EpochMetrics>();
        var wall = Stopwatch.StartNew();
        var trainingTime = TimeSpan.Zero;
        long step = 0;
        long samples = 0;

        for (var epoch = 0; epoch < options.Epochs && step < totalSteps; epoch++)
        {
            var order = EpochOrder.Create(data.Train.Count, options.Seed, epoch, options.Shuffle);
            var epochStats = default(ShardStats);
            var epochClock = Stopwatch.StartNew();
            for (var start = 0; start < order.Length && step < totalSteps; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = order.AsMemory(start, Math.Min(options.BatchSize, order.Length - start));
                epochStats += await stepper.StepAsync(batch, step, epoch, schedule.RateAt(step), parameters, cancellationToken);
                step++;
                samples += batch.Length;
                progress.OnStep(new StepProgress(
                    epoch + 1, options.Epochs, step, totalSteps,
                    Mean(epochStats.LossSum, epochStats.Samples), Mean(epochStats.Correct, epochStats.Samples),
                    Rate(epochStats.Samples, epochClock.Elapsed), wall.Elapsed.TotalSeconds));
            }
            var epochTrainingTime = epochClock.Elapsed;
            trainingTime += epochTrainingTime;
            var test = evaluator.Evaluate(parameters, data.Test);
            var epochMetrics = new EpochMetrics
            {
                Epoch = epoch + 1,
                Step = step,
                TrainLoss = Mean(epochStats.LossSum, epochStats.Samples),
                TrainAccuracy = Mean(epochStats.Correct, epochStats.Samples),
                TestLoss = test.Loss,
                TestAccuracy = test.Accuracy,
                SamplesPerSecond = Rate(epochStats.Samples, epochTrainingTime),
                ElapsedSeconds = wall.Elapsed.TotalSeconds,
                Workers = executor.Workers,
            };
            metrics.Add(epochMetrics);
            progress.OnEpoch(epochMetrics);
        }
        return new TrainingResult(parameters, metrics, samples, step, trainingTime.TotalSeconds, wall.Elapsed.TotalSeconds);
    }

    private static double Mean(double sum, int count) => count > 0 ? sum / count : 0;

    private static double Rate(int samples, TimeSpan time) => time > TimeSpan.Zero ? samples / time.TotalSeconds : 0;
}
