using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Distributed;

/// <summary>
/// The checks that need another worker (docs/security.md, "Hostile workers"): a gradient norm far above the recent
/// median is held until a second worker computes the node (the same bits: accepted as an honest outlier; other bits:
/// refused), spot checks recompute accepted nodes and drop a worker that two others contradict, and refusals for values
/// drop a worker only when they come three times in a row. Every run ends with the undisturbed local run's weights.
/// Real CPU computations on the scripted executor (no network, fake time).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ResultCrossCheckTests
{
    private const int StepCount = 8;

    [Fact]
    public async Task ANormOutlierThatASecondWorkerReproducesBitForBitIsAccepted()
    {
        await using var scripted = new ScriptedExecutor(StepCount);
        // Half of all honest nodes lie above 1.0001 × the median: each is held and recomputed.
        scripted.CoordinatorOptions.MaxNormRatio = 1.0001;
        var workers = Enumerable.Range(1, 2).Select(i => ComputingScriptedWorker.RunAsync(scripted.Join($"honest-{i}"))).ToList();

        var actual = await TrainAsync(scripted);

        Assert.Equal(await ShortTrainingRun.LocalAsync(ShortTrainingRun.Steps(StepCount)), actual);
        Assert.True(scripted.Executor.Checks.OutliersHeld > 0);
        Assert.Equal(scripted.Executor.Checks.OutliersHeld, scripted.Executor.Checks.HonestOutliers);
        Assert.DoesNotContain(scripted.Logs.Lines, l => l.Contains("refused") || l.Contains("Dropped"));
        await Finish(scripted, workers);
    }

    [Fact]
    public async Task AGradientAThousandTimesTheHonestNormIsRefusedAndThreeInARowDropItsWorker()
    {
        await using var scripted = new ScriptedExecutor(StepCount);
        var workers = Enumerable.Range(1, 2).Select(i => ComputingScriptedWorker.RunAsync(scripted.Join($"honest-{i}"))).ToList();
        // Below the absolute bound (10,000 per sample), far above the relative one (10 × the median).
        workers.Add(ComputingScriptedWorker.RunAsync(
            scripted.Join("liar"), (assignment, honest) => assignment.StepId >= 3 ? ComputingScriptedWorker.Scaled(honest, 1000) : honest));

        var actual = await TrainAsync(scripted);

        Assert.Equal(await ShortTrainingRun.LocalAsync(ShortTrainingRun.Steps(StepCount)), actual);
        var refused = scripted.Logs.Lines.Where(l => l.Contains("refused")).ToList();
        Assert.All(refused, l => Assert.Contains("liar", l));
        // Two refusals logged as such, the third in the line that drops the worker.
        Assert.Equal(3, refused.Count(l => l.Contains("× the recent median")));
        Assert.Single(scripted.Logs.Lines, l => l.Contains("Dropped worker liar") && l.Contains("3 results in a row refused"));
        Assert.Equal(2, scripted.Executor.Workers);
        await Finish(scripted, workers);
    }

    [Fact]
    public async Task RefusalsThatAreNotInARowDoNotDropTheWorker()
    {
        await using var scripted = new ScriptedExecutor(StepCount);
        var workers = Enumerable.Range(1, 2).Select(i => ComputingScriptedWorker.RunAsync(scripted.Join($"honest-{i}"))).ToList();
        var poisoned = new HashSet<long>();
        workers.Add(ComputingScriptedWorker.RunAsync(scripted.Join("flaky"), (assignment, honest) =>
        {
            // NaN in the first result of steps 1, 3, 5 and 7: an honest answer comes between any two.
            if (assignment.StepId % 2 == 1 && poisoned.Add(assignment.StepId))
            {
                honest.Nodes[0].GradientSum = Google.Protobuf.ByteString.CopyFrom(
                    [.. honest.Nodes[0].GradientSum.Span[..^4], .. BitConverter.GetBytes(float.NaN)]);
            }
            return honest;
        }));

        var actual = await TrainAsync(scripted);

        Assert.Equal(await ShortTrainingRun.LocalAsync(ShortTrainingRun.Steps(StepCount)), actual);
        Assert.Equal(4, scripted.Logs.Lines.Count(l => l.Contains("flaky") && l.Contains("refused") && l.Contains("(1 of 3")));
        Assert.DoesNotContain(scripted.Logs.Lines, l => l.Contains("Dropped"));
        Assert.Equal(3, scripted.Executor.Workers);
        await Finish(scripted, workers);
    }

    [Fact]
    public async Task ASpotCheckCatchesAPlausibleWrongGradientAndItsWorkerIsDropped()
    {
        await using var scripted = new ScriptedExecutor(StepCount);
        scripted.CoordinatorOptions.VerifyFraction = 1;
        var workers = Enumerable.Range(1, 2).Select(i => ComputingScriptedWorker.RunAsync(scripted.Join($"honest-{i}"))).ToList();
        // Zero gradients with honest statistics: finite, within every norm bound, and wrong.
        workers.Add(ComputingScriptedWorker.RunAsync(
            scripted.Join("liar"), (assignment, honest) => assignment.StepId >= 2 ? ComputingScriptedWorker.Scaled(honest, 0) : honest));

        var actual = await TrainAsync(scripted);

        Assert.Equal(await ShortTrainingRun.LocalAsync(ShortTrainingRun.Steps(StepCount)), actual);
        Assert.Equal(1, scripted.Executor.Checks.Contradicted);
        Assert.Single(scripted.Logs.Lines, l => l.Contains("Dropped worker liar") && l.Contains("two other workers"));
        Assert.True(scripted.Executor.Checks.SpotChecks >= StepCount);
        await Finish(scripted, workers);
    }

    [Fact]
    public async Task SpotChecksAmongHonestWorkersChangeNothing()
    {
        await using var scripted = new ScriptedExecutor(StepCount);
        scripted.CoordinatorOptions.VerifyFraction = 0.5;
        var workers = Enumerable.Range(1, 3).Select(i => ComputingScriptedWorker.RunAsync(scripted.Join($"honest-{i}"))).ToList();

        var actual = await TrainAsync(scripted);

        Assert.Equal(await ShortTrainingRun.LocalAsync(ShortTrainingRun.Steps(StepCount)), actual);
        Assert.InRange(scripted.Executor.Checks.SpotChecks, 1, 10 * StepCount);
        Assert.Equal(0, scripted.Executor.Checks.Contradicted);
        Assert.Equal(3, scripted.Executor.Workers);
        await Finish(scripted, workers);
    }

    [Fact]
    public async Task TwoWorkersThatDisagreeWithNoThirdToDecideEndTheJob()
    {
        await using var scripted = new ScriptedExecutor(StepCount);
        scripted.CoordinatorOptions.VerifyFraction = 1;
        var workers = new List<Task>
        {
            ComputingScriptedWorker.RunAsync(scripted.Join("honest")),
            ComputingScriptedWorker.RunAsync(scripted.Join("liar"), (_, honest) => ComputingScriptedWorker.Scaled(honest, 0)),
        };

        var failure = await Assert.ThrowsAsync<DistributedStepException>(() => TrainAsync(scripted));

        Assert.Contains("computed different gradients for node", failure.Message);
        Assert.Contains("no other worker is connected to decide", failure.Message);
        await Finish(scripted, workers);
    }

    private static Task<string> TrainAsync(ScriptedExecutor scripted) =>
        ShortTrainingRun.RunAsync(scripted.Executor, ShortTrainingRun.Steps(StepCount)).WaitAsync(TimeSpan.FromSeconds(60));

    private static async Task Finish(ScriptedExecutor scripted, List<Task> workers)
    {
        await scripted.DisposeAsync();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(20));
    }
}
