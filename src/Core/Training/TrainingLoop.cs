using System.Diagnostics;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Evaluation;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;

namespace CnnDistributed.Core.Training;

/// <summary>
/// A whole training job: per epoch a (seeded) order of the training set, minibatches of
/// <see cref="TrainingOptions.BatchSize"/> in that order (the last one may be shorter), one SGD step per minibatch
/// through an <see cref="IStepExecutor"/>, and a test-set evaluation after every epoch and after the last step when
/// <see cref="TrainingOptions.MaxSteps"/> ends the job mid-epoch. Free of console code: progress goes to an
/// <see cref="IProgressSink"/>.
/// </summary>
public sealed class TrainingLoop(
    TrainingOptions options,
    MnistDataset data,
    IStepExecutor executor,
    IComputeBackend evaluationBackend)
{
    /// <summary>Optimizer steps in one epoch (the last minibatch may be short).</summary>
    public long StepsPerEpoch => (data.Train.Count + options.BatchSize - 1) / options.BatchSize;

    /// <summary>
    /// Steps the job will take: all epochs, or fewer when <see cref="TrainingOptions.MaxSteps"/> is smaller.
    /// </summary>
    public long TotalSteps => Math.Min(StepsPerEpoch * options.Epochs, options.MaxSteps ?? long.MaxValue);

    internal Task<TrainingResult> RunAsync(
        float[] initialParameters,
        IProgressSink progress,
        CancellationToken cancellationToken) =>
        RunAsync(initialParameters, progress, null, null, cancellationToken);

    /// <summary>
    /// Runs the job from <paramref name="initialParameters"/>, or continues it exactly from <paramref name="resume"/>
    /// (weights, momentum, data position and the unfinished epoch's statistics), saving checkpoints to
    /// <paramref name="checkpoints"/> every <see cref="ICheckpointSink.Every"/> steps, at the end, and when cancelled.
    /// </summary>
    public async Task<TrainingResult> RunAsync(
        float[] initialParameters,
        IProgressSink progress,
        TrainingCheckpoint? resume,
        ICheckpointSink? checkpoints,
        CancellationToken cancellationToken)
    {
        var start = resume?.Parameters ?? initialParameters;
        if (start.Length != ModelShape.ParameterCount)
        {
            throw new ArgumentException(
                $"expected {ModelShape.ParameterCount} parameters, got {start.Length}", nameof(initialParameters));
        }
        if (data.Train.Count == 0)
        {
            throw new ArgumentException("the training split is empty", nameof(data));
        }
        var parameters = start.ToArray();
        var optimizer = new SgdOptimizer(
            options.Momentum, options.Nesterov, options.WeightDecay, ModelShape.ParameterCount);
        resume?.Velocity.CopyTo(optimizer.Velocity, 0);
        var stepper = new MinibatchStepper(data.Train, executor, optimizer, options.Shards, options.BatchSize);
        var schedule = new LearningRateSchedule(options, StepsPerEpoch, TotalSteps);
        var evaluator = new SplitEvaluator(evaluationBackend);
        var totalSteps = TotalSteps;
        var metrics = resume?.CompletedEpochs.ToList() ?? [];
        var wall = Stopwatch.StartNew();
        var wallBefore = resume?.ElapsedSeconds ?? 0;
        var trainingTime = TimeSpan.FromSeconds(resume?.TrainingSeconds ?? 0);
        var step = resume?.Step ?? 0;
        var samples = resume?.Samples ?? 0;
        var position = (Epoch: resume?.Epoch ?? 0, Batch: resume?.BatchInEpoch ?? 0);
        var epochStats = resume is null
            ? default
            : new ShardStats(resume.EpochLossSum, (int)resume.EpochCorrect, (int)resume.EpochSamples);
        long savedAt = -1;
        var epochClock = new Stopwatch();

        ValueTask SaveAsync()
        {
            savedAt = step;
            return checkpoints!.SaveAsync(new TrainingCheckpoint
            {
                Options = options,
                Step = step,
                Epoch = position.Epoch,
                BatchInEpoch = position.Batch,
                EpochLossSum = epochStats.LossSum,
                EpochCorrect = epochStats.Correct,
                EpochSamples = epochStats.Samples,
                ElapsedSeconds = wallBefore + wall.Elapsed.TotalSeconds,
                Samples = samples,
                TrainingSeconds = (trainingTime + epochClock.Elapsed).TotalSeconds,
                CompletedEpochs = [.. metrics],
                Parameters = parameters.ToArray(),
                Velocity = optimizer.Velocity.ToArray(),
            });
        }

        bool Due() => checkpoints is { Every: > 0 } && step % checkpoints.Every == 0 && savedAt != step;

        try
        {
            while (position.Epoch < options.Epochs && step < totalSteps)
            {
                var epoch = position.Epoch;
                var order = EpochOrder.Create(data.Train.Count, options.Seed, epoch, options.Shuffle);
                epochClock.Restart();
                for (var first = position.Batch * options.BatchSize;
                     first < order.Length && step < totalSteps;
                     first += options.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var batch = order.AsMemory(first, Math.Min(options.BatchSize, order.Length - first));
                    epochStats += await stepper.StepAsync(
                        batch, step, epoch, schedule.RateAt(step), parameters, cancellationToken);
                    step++;
                    samples += batch.Length;
                    position.Batch++;
                    progress.OnStep(new StepProgress(
                        epoch + 1, options.Epochs, step, totalSteps,
                        Mean(epochStats.LossSum, epochStats.Samples), Mean(epochStats.Correct, epochStats.Samples),
                        Rate(epochStats.Samples, epochClock.Elapsed), wallBefore + wall.Elapsed.TotalSeconds));
                    if (Due() && first + options.BatchSize < order.Length)
                    {
                        await SaveAsync();
                    }
                }
                var epochTrainingTime = epochClock.Elapsed;
                trainingTime += epochTrainingTime;
                epochClock.Reset();
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
                    ElapsedSeconds = wallBefore + wall.Elapsed.TotalSeconds,
                    Workers = executor.Workers,
                };
                metrics.Add(epochMetrics);
                progress.OnEpoch(epochMetrics);
                if (position.Batch * (long)options.BatchSize < order.Length)
                {
                    break;
                }
                position = (epoch + 1, 0);
                epochStats = default;
                if (Due())
                {
                    await SaveAsync();
                }
            }
        }
        catch (Exception e) when (checkpoints is not null
            && (e is TrainingDivergedException
                || (e is OperationCanceledException && cancellationToken.IsCancellationRequested)))
        {
            // The checkpoint holds the state before the step that was stopped or rolled back.
            await SaveAsync();
            await checkpoints.FlushAsync();
            throw;
        }
        if (checkpoints is not null)
        {
            if (savedAt != step)
            {
                await SaveAsync();
            }
            await checkpoints.FlushAsync();
        }
        return new TrainingResult(
            parameters,
            metrics,
            samples,
            step,
            trainingTime.TotalSeconds,
            wallBefore + wall.Elapsed.TotalSeconds);
    }

    private static double Mean(double sum, int count) => count > 0 ? sum / count : 0;

    private static double Rate(int samples, TimeSpan time) => time > TimeSpan.Zero ? samples / time.TotalSeconds : 0;
}
