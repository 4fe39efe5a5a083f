using System.Diagnostics;
using System.Runtime.InteropServices;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using CsCheck;
using Google.Protobuf;
using Xunit.Abstractions;

namespace CnnDistributed.Tests.Properties;

/// <summary>
/// The coordinator's checks of a worker's result (<see cref="StepResultValidator"/>, in the order the executor runs
/// them: shape, then every node's values) over generated assignments: any job size (1 to 64 shards), any contiguous
/// range, any shard sizes, any step; a result is either the honest one or that result with exactly one corruption.
/// </summary>
[Trait("Category", "Unit")]
public sealed class StepResultValidatorPropertyTests(ITestOutputHelper output)
{
    private const string Seed = "0N0XIzNsQ0O2";
    private const int Cases = 10_000;

    private static readonly byte[] Labels = new byte[64];

    private static readonly Gen<Assignment> Assignments =
        from log2 in Gen.Int[0, 6]
        from start in Gen.Int[0, (1 << log2) - 1]
        from end in Gen.Int[start + 1, 1 << log2]
        from samples in Gen.Int[0, Labels.Length].Array[1 << log2]
        from outcomes in Gen.Select(Gen.Double[0, 1e6], Gen.Int[0, 1000]).Array[end - start]
        from step in Gen.Frequency((3, Gen.Long[0, 10_000]), (1, Gen.Long[0, long.MaxValue]))
        from computeMicros in Gen.Frequency((3, Gen.Long[0, 10_000_000]), (1, Gen.Long[0, long.MaxValue]))
        select new Assignment(step, 1 << log2, new ShardRange(start, end), samples, outcomes, computeMicros);

    [Fact]
    public void EveryCorruptedResultIsRefusedForItsFaultAndEveryIntactOneAccepted()
    {
        var counts = new int[Enum.GetValues<ResultCorruption>().Length];
        var clock = Stopwatch.StartNew();
        FixedSeed.Check(
            Gen.Select(Assignments, CorruptionCase.Gen),
            ((Assignment Assignment, CorruptionCase Corruption) c) =>
            {
                var result = c.Assignment.HonestResult();
                var kind = c.Corruption.ApplyTo(result, c.Assignment.Step) ? c.Corruption.Kind : ResultCorruption.None;
                counts[(int)kind]++;

                var refusal = Validate(result, c.Assignment);

                Assert.Equal(kind == ResultCorruption.None ? null : c.Corruption.Expected, refusal?.Kind);
                Assert.False(refusal is { } r && string.IsNullOrWhiteSpace(r.Reason));
            },
            Seed,
            Cases,
            c => $"{c.Item1}, {c.Item2}");
        output.WriteLine($"{Cases} cases in {clock.Elapsed.TotalSeconds:0.00} s (seed {Seed}): "
            + string.Join(", ", Enum.GetValues<ResultCorruption>().Select(k => $"{k} {counts[(int)k]}")));
        Assert.All(counts, n => Assert.True(n > 0));
    }

    /// <summary>What the executor does with a result (DistributedStepExecutor.Accept): its shape, then its values.</summary>
    private static StepResultRefusal? Validate(StepResult result, Assignment assignment)
    {
        var refusal = StepResultValidator.CheckShape(
            result, assignment.Step, assignment.Range, assignment.ShardCount, assignment.Shards);
        for (var n = 0; refusal is null && n < result.Nodes.Count; n++)
        {
            var node = result.Nodes[n];
            refusal = StepResultValidator.CheckFinite(
                new TreeNode(node.Start, node.Size), MemoryMarshal.Cast<byte, float>(node.GradientSum.Span));
        }
        return refusal;
    }

    /// <summary>
    /// A step's assignment of <see cref="Range"/> to one worker, the sample count of every shard of the job, and what
    /// the honest worker reports for each assigned shard (loss, correct as a share of 1000) and its compute time.
    /// </summary>
    public sealed record Assignment(
        long Step, int ShardCount, ShardRange Range, int[] Samples, (double Loss, int Correct)[] Outcomes, long ComputeMicros)
    {
        public IReadOnlyList<ShardSamples> Shards { get; } =
            Samples.Select(n => new ShardSamples(ReadOnlyMemory<byte>.Empty, Labels.AsMemory(0, n))).ToArray();

        /// <summary>The valid result: the cover's nodes with real-length finite gradients, consistent outcomes.</summary>
        public StepResult HonestResult()
        {
            var result = new StepResult { StepId = Step, ComputeMicros = ComputeMicros };
            var gradient = UnsafeByteOperations.UnsafeWrap(
                CorruptionCase.ValidGradient.AsMemory(0, StepResultValidator.GradientBytes));
            foreach (var node in GradientTree.Cover(ShardCount, Range.Start, Range.End))
            {
                result.Nodes.Add(new NodeGradient { Start = node.Start, Size = node.Size, GradientSum = gradient });
            }
            for (var i = 0; i < Range.Count; i++)
            {
                var samples = Samples[Range.Start + i];
                result.Shards.Add(new ShardOutcome
                {
                    LossSum = Outcomes[i].Loss,
                    Correct = samples * Outcomes[i].Correct / 1000,
                    Samples = samples,
                });
            }
            return result;
        }

        public override string ToString() =>
            $"step {Step}, {ShardCount} shards, range {Range}, samples [{string.Join(" ", Samples)}], "
            + $"outcomes [{string.Join(" ", Outcomes)}], {ComputeMicros} µs";
    }
}
