using System.Diagnostics;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;
using CnnDistributed.Worker.Runtime.Assignments;
using CsCheck;
using Google.Protobuf;
using Xunit.Abstractions;

namespace CnnDistributed.Tests.Properties;

/// <summary>
/// A short training run on the distributed executor (<see cref="ScriptedExecutor"/>: no network, fake time) with two
/// honest workers and one that answers one generated step with one generated corruption (any of
/// <see cref="ResultCorruption"/>): the corrupt worker is dropped, its shards are recomputed by the others in the same
/// step, and the final weights equal the undisturbed local run's bit for bit. Twenty cases rather than 10,000: each one
/// trains four real steps on the CPU (about a tenth of a second); the validator's properties cover the corruptions at
/// volume, this one checks that every kind of refusal ends in the same recovery.
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
                var loops = honest.Select((h, i) => AnswerHonestlyAsync(h, step => Volatile.Write(ref answered[i], step)))
                    .Append(MisbehaveOnceAsync(scripted, bad, honest, answered, c.Corruption, c.Step, kinds))
                    .ToList();

                var actual = await ShortTrainingRun.RunAsync(scripted.Executor, steps).WaitAsync(TimeSpan.FromSeconds(30));
                var workersLeft = scripted.Executor.Workers;
                await scripted.DisposeAsync();
                await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10));

                Assert.Equal(expected, actual);
                Assert.Equal(2, workersLeft);
                Assert.Single(scripted.Logs.Lines, l => l.Contains("Dropped worker") && l.Contains("bad-peer"));
            },
            Seed,
            Cases,
            c => $"{c.Corruption} in step {c.Step}");
        output.WriteLine($"{Cases} cases in {clock.Elapsed.TotalSeconds:0.00} s (seed {Seed}): {string.Join(", ", kinds)}");
    }

    /// <summary>Computes every assignment as a real worker does until the job shuts the stream, then closes it.</summary>
    private static async Task AnswerHonestlyAsync(ScriptedWorker worker, Action<long> answered)
    {
        using var runner = new ShardRunner(new CpuBackend(1, Core.Engine.InputScaling.UnitRange), ShortTrainingRun.ShardCount, TimeProvider.System);
        while (await NextAsync(worker) is { } assignment)
        {
            worker.Connection.Deliver(new ReceivedResult(Detached(runner.Run(assignment))));
            answered(assignment.StepId);
        }
        worker.Connection.MarkStreamEnded();
    }

    /// <summary>
    /// Answers honestly until <paramref name="badStep"/>, then sends that step's result with the corruption and stops.
    /// A result for an earlier step is discarded on arrival as a late one (WorkerConnection.Deliver), so for that one
    /// the worker falls silent and fake time runs past its deadline, once the honest workers have answered.
    /// </summary>
    private static async Task MisbehaveOnceAsync(
        ScriptedExecutor scripted,
        ScriptedWorker bad,
        ScriptedWorker[] honest,
        long[] answered,
        CorruptionCase corruption,
        int badStep,
        List<ResultCorruption> kinds)
    {
        using var runner = new ShardRunner(new CpuBackend(1, Core.Engine.InputScaling.UnitRange), ShortTrainingRun.ShardCount, TimeProvider.System);
        while (await NextAsync(bad) is { } assignment)
        {
            var result = Detached(runner.Run(assignment));
            if (assignment.StepId < badStep)
            {
                bad.Connection.Deliver(new ReceivedResult(result));
                continue;
            }
            if (!corruption.ApplyTo(result, assignment.StepId))
            {
                // Too few nodes to swap or split in this worker's range: a duplicated node instead.
                corruption = corruption with { Kind = ResultCorruption.DuplicateNode };
                corruption.ApplyTo(result, assignment.StepId);
            }
            lock (kinds)
            {
                kinds.Add(corruption.Kind);
            }
            bad.Connection.Deliver(new ReceivedResult(result));
            while (corruption.Kind == ResultCorruption.StaleStepId && !bad.Connection.Closed.IsCompleted)
            {
                if (honest.Select((h, i) => h.Connection.LastAssignedStep != assignment.StepId || Volatile.Read(ref answered[i]) >= assignment.StepId).All(done => done))
                {
                    scripted.Time.Advance(scripted.CoordinatorOptions.StepTimeout + TimeSpan.FromSeconds(1));
                }
                await Task.Delay(1);
            }
            break;
        }
        bad.Connection.MarkStreamEnded();
    }

    private static async Task<StepAssignment?> NextAsync(ScriptedWorker worker)
    {
        try
        {
            return await worker.NextAssignmentAsync();
        }
        catch (InvalidOperationException)
        {
            return null; // the job's shutdown
        }
    }

    /// <summary>The result with its gradients copied: a runner reuses its node buffers on its next assignment.</summary>
    private static StepResult Detached(StepResult result)
    {
        foreach (var node in result.Nodes)
        {
            node.GradientSum = ByteString.CopyFrom(node.GradientSum.Span);
        }
        return result;
    }
}
