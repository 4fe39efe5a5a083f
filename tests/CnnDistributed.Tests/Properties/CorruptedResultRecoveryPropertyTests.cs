using System.Diagnostics;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Tests.Infrastructure;
using CnnDistributed.Worker.Runtime.Assignments;
using CsCheck;
using Xunit.Abstractions;

namespace CnnDistributed.Tests.Properties;

/// <summary>
/// A short training run on the distributed executor (<see cref="ScriptedExecutor"/>: no network, fake time) with two
/// honest workers and one that, from a generated step on, answers with a generated corruption (any of
/// <see cref="ResultCorruption"/>): each corrupt result is refused and its shards are recomputed by the others in the
/// same step (a protocol fault drops the worker at once, a fault in the values after three in a row), and the final
/// weights equal the undisturbed local run's bit for bit. Twenty cases rather than 10,000: each one trains four real
/// steps on the CPU (about a tenth of a second); the validator's properties cover the corruptions at volume, this one
/// checks that every kind of refusal ends in the same recovery.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CorruptedResultRecoveryPropertyTests(ITestOutputHelper output)
{
    private const string Seed = "0R3C0V3RY000";
    private const int Cases = 20;
    private const int StepCount = 4;

    private static readonly Gen<(CorruptionCase Corruption, int Step)> CorruptSteps = Gen.Select(
        CorruptionCase.Gen.Where(c => c.Kind != ResultCorruption.None), Gen.Int[0, StepCount - 1]);

    [Fact]
    public async Task AWorkerThatCorruptsOneResultIsDroppedAndTheWeightsEqualAnUndisturbedRun()
    {
        var steps = ShortTrainingRun.Steps(StepCount);
        var expected = await ShortTrainingRun.LocalAsync(steps);
        var clock = Stopwatch.StartNew();
        var kinds = new List<ResultCorruption>();

        await FixedSeed.CheckAsync(
            CorruptSteps,
            async c =>
            {
                await using var scripted = new ScriptedExecutor(StepCount);
                var honest = new[] { scripted.Join("honest-1"), scripted.Join("honest-2") };
                var bad = scripted.Join("bad-peer");
                var answered = new long[honest.Length];
                Array.Fill(answered, -1);
                var loops = honest.Select((h, i) => ComputingScriptedWorker.RunAsync(h, delivered: step => Volatile.Write(ref answered[i], step)))
                    .Append(MisbehaveAsync(scripted, bad, honest, answered, c.Corruption, c.Step, kinds))
                    .ToList();

                var actual = await ShortTrainingRun.RunAsync(scripted.Executor, steps).WaitAsync(TimeSpan.FromSeconds(30));
                var workersLeft = scripted.Executor.Workers;
                await scripted.DisposeAsync();
                await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10));

                Assert.Equal(expected, actual);
                var dropped = scripted.Logs.Lines.Count(l => l.Contains("Dropped worker") && l.Contains("bad-peer"));
                Assert.InRange(dropped, 0, 1);
                Assert.Contains(scripted.Logs.Lines, l => l.Contains("bad-peer") && (l.Contains("Dropped worker") || l.Contains("refused")));
                Assert.Equal(3 - dropped, workersLeft);
            },
            Seed,
            Cases,
            c => $"{c.Corruption} in step {c.Step}");
        output.WriteLine($"{Cases} cases in {clock.Elapsed.TotalSeconds:0.00} s (seed {Seed}): {string.Join(", ", kinds)}");
    }

    /// <summary>
    /// Answers honestly until <paramref name="badStep"/>, then sends every result with the corruption until the job drops
    /// or shuts it. A result for an earlier step is discarded on arrival as a late one (WorkerConnection.Deliver), so for
    /// that one the worker falls silent and fake time runs past its deadline, once the honest workers have answered.
    /// </summary>
    private static async Task MisbehaveAsync(
        ScriptedExecutor scripted,
        ScriptedWorker bad,
        ScriptedWorker[] honest,
        long[] answered,
        CorruptionCase corruption,
        int badStep,
        List<ResultCorruption> kinds)
    {
        using var runner = new ShardRunner(new CpuBackend(1, Core.Engine.InputScaling.UnitRange), ShortTrainingRun.ShardCount, TimeProvider.System);
        while (await ComputingScriptedWorker.NextAsync(bad) is { } assignment)
        {
            var result = ComputingScriptedWorker.Detached(runner.Run(assignment));
            if (assignment.StepId < badStep)
            {
                bad.Connection.Deliver(new ReceivedResult(result));
                continue;
            }
            var applied = corruption;
            if (!applied.ApplyTo(result, assignment.StepId))
            {
                // Too few nodes to swap or split in this worker's range: a duplicated node instead.
                applied = corruption with { Kind = ResultCorruption.DuplicateNode };
                applied.ApplyTo(result, assignment.StepId);
            }
            lock (kinds)
            {
                kinds.Add(applied.Kind);
            }
            bad.Connection.Deliver(new ReceivedResult(result));
            while (applied.Kind == ResultCorruption.StaleStepId && !bad.Connection.Closed.IsCompleted)
            {
                if (honest.Select((h, i) => h.Connection.LastAssignedStep != assignment.StepId || Volatile.Read(ref answered[i]) >= assignment.StepId).All(done => done))
                {
                    scripted.Time.Advance(scripted.CoordinatorOptions.StepTimeout + TimeSpan.FromSeconds(1));
                }
                await Task.Delay(1);
            }
        }
        bad.Connection.MarkStreamEnded();
    }
}
