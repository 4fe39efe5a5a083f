using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Tests.Training;

[Trait("Category", "Unit")]
public sealed class TrainingLoopTests
{
    private static async Task<(TrainingResult Result, FakeComputeBackend Backend, RecordingProgressSink Progress)> RunAsync(TrainingOptions options, int trainCount, float[]? initial = null)
    {
        using var backend = new FakeComputeBackend();
        await using var executor = new LocalStepExecutor(backend, options.Shards);
        var progress = new RecordingProgressSink();
        var loop = new TrainingLoop(options, SyntheticDataset.Create(trainCount), executor, backend);
        var result = await loop.RunAsync(initial ?? new float[ModelShape.ParameterCount], progress, CancellationToken.None);
        return (result, backend, progress);
    }

    [Fact]
    public async Task EveryTrainingSampleIsVisitedExactlyOncePerEpoch()
    {
        var (_, backend, _) = await RunAsync(new TrainingOptions { Epochs = 3, BatchSize = 4, Shards = 2 }, trainCount: 10);

        Assert.Equal(9, backend.Steps.Count);
        foreach (var epoch in backend.Steps.Chunk(3))
        {
            Assert.Equal(Enumerable.Range(0, 10), epoch.SelectMany(step => step).Order());
        }
    }

    [Fact]
    public async Task LastBatchOfAnEpochIsShortWhenTheBatchSizeDoesNotDivideTheTrainingSet()
    {
        var (result, backend, _) = await RunAsync(new TrainingOptions { Epochs = 2, BatchSize = 4 }, trainCount: 10);

        Assert.Equal([4, 4, 2, 4, 4, 2], backend.Steps.Select(step => step.Count));
        Assert.Equal(20, result.Samples);
        Assert.Equal(6, result.Steps);
    }

    [Fact]
    public async Task EpochsAreShuffledDifferentlyAndReproducibly()
    {
        var options = new TrainingOptions { Epochs = 2, BatchSize = 10, Seed = 7 };
        var (_, first, _) = await RunAsync(options, trainCount: 10);
        var (_, second, _) = await RunAsync(options, trainCount: 10);

        Assert.NotEqual(first.Steps[0], first.Steps[1]);
        Assert.Equal(first.Steps, second.Steps);
    }

    [Fact]
    public async Task NoShuffleVisitsTheTrainingSamplesInFileOrder()
    {
        var (_, backend, _) = await RunAsync(new TrainingOptions { Epochs = 1, BatchSize = 4, Shuffle = false }, trainCount: 10);

        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], backend.Steps);
    }

    [Fact]
    public async Task MaxStepsStopsMidEpochAndStillEvaluatesTheTestSet()
    {
        var (result, backend, progress) = await RunAsync(new TrainingOptions { Epochs = 5, BatchSize = 4, MaxSteps = 4 }, trainCount: 10);

        Assert.Equal(4, backend.Steps.Count);
        Assert.Equal(4, result.Steps);
        Assert.Equal(14, result.Samples);
        Assert.Equal([3L, 4L], progress.Epochs.Select(m => m.Step));
        Assert.Equal([1, 2], result.Epochs.Select(m => m.Epoch));
    }

    [Fact]
    public async Task GradientSumIsDividedByTheBatchSizeBeforeTheUpdate()
    {
        // Every sample's gradient is 1 in parameter 0, so the mean is 1 whatever the batch size (3, 3, 3 and a short 1).
        var (result, _, _) = await RunAsync(new TrainingOptions { Epochs = 1, BatchSize = 3, LearningRate = 0.5f }, trainCount: 10);

        Assert.Equal(4, result.Steps);
        Assert.Equal(-2f, result.Parameters[0]);
        Assert.All(result.Parameters.Skip(1), p => Assert.Equal(0f, p));
    }

    [Fact]
    public async Task EpochMetricsAverageOverTheEpochAndTheTestSet()
    {
        var (result, _, progress) = await RunAsync(new TrainingOptions { Epochs = 2, BatchSize = 4 }, trainCount: 10);

        Assert.Equal(progress.Epochs, result.Epochs);
        var metrics = result.Final;
        Assert.Equal(2, metrics.Epoch);
        Assert.Equal(6, metrics.Step);
        Assert.Equal(1.0, metrics.TrainLoss);
        Assert.Equal(1.0, metrics.TrainAccuracy);
        Assert.Equal(FakeComputeBackend.TestLoss, metrics.TestLoss);
        Assert.Equal(1.0, metrics.TestAccuracy);
        Assert.Equal(1, metrics.Workers);
        Assert.True(metrics.ElapsedSeconds >= result.Epochs[0].ElapsedSeconds);
    }

    [Fact]
    public async Task StepProgressIsReportedAfterEveryStep()
    {
        var (_, _, progress) = await RunAsync(new TrainingOptions { Epochs = 2, BatchSize = 4 }, trainCount: 10);

        Assert.Equal([1L, 2, 3, 4, 5, 6], progress.Steps.Select(p => p.Step));
        Assert.All(progress.Steps, p => Assert.Equal(6, p.TotalSteps));
        Assert.Equal([1, 1, 1, 2, 2, 2], progress.Steps.Select(p => p.Epoch));
    }

    [Fact]
    public async Task InitialParametersAreNotModified()
    {
        var initial = new float[ModelShape.ParameterCount];
        var (result, _, _) = await RunAsync(new TrainingOptions { Epochs = 1, BatchSize = 5 }, trainCount: 10, initial);

        Assert.Equal(0f, initial[0]);
        Assert.NotEqual(0f, result.Parameters[0]);
    }

    [Fact]
    public async Task CancellationStopsTheJob()
    {
        using var backend = new FakeComputeBackend();
        await using var executor = new LocalStepExecutor(backend, 8);
        var loop = new TrainingLoop(new TrainingOptions(), SyntheticDataset.Create(10), executor, backend);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            loop.RunAsync(new float[ModelShape.ParameterCount], new RecordingProgressSink(), new CancellationToken(canceled: true)));
        Assert.Empty(backend.Steps);
    }
}
