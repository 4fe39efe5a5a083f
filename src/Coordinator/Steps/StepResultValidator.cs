using System.Numerics.Tensors;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;

namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// Checks a worker's result before any of it touches the job: the step it answers, its node set (exactly the tree cover
/// of what was assigned), every gradient's byte length, finite values, and per-shard statistics. Returns the reason a
/// result is refused (which check it failed and why), or null.
/// </summary>
public static class StepResultValidator
{
    /// <summary>The size of one node gradient: the model's parameters as little-endian float32.</summary>
    public const int GradientBytes = ModelShape.ParameterCount * sizeof(float);

    /// <summary>
    /// Why <paramref name="result"/> does not fit the assignment of <paramref name="range"/> in <paramref name="step"/>
    /// (step, tree nodes, gradient sizes, per-shard outcomes, compute time), or null when it does.
    /// </summary>
    public static StepResultRefusal? CheckShape(
        StepResult result,
        long step,
        ShardRange range,
        int shardCount,
        IReadOnlyList<ShardSamples> shards)
    {
        if (result.StepId != step)
        {
            return new(
                ResultRefusal.UnknownStep,
                $"result for unknown step {result.StepId} (the step in progress is {step})");
        }
        if (!MatchesCover(result.Nodes, shardCount, range))
        {
            var cover = GradientTree.Cover(shardCount, range.Start, range.End);
            var sent = result.Nodes.Select(n => new TreeNode(n.Start, n.Size));
            return new(
                ResultRefusal.NodesNotTheCover,
                $"tree nodes {string.Join(" ", sent)} do not match the cover {string.Join(" ", cover)} "
                    + $"of assigned shards {range}");
        }
        foreach (var node in result.Nodes)
        {
            if (node.GradientSum.Length != GradientBytes)
            {
                return new(
                    ResultRefusal.GradientLength,
                    $"gradient of node {new TreeNode(node.Start, node.Size)} has {node.GradientSum.Length} bytes, "
                        + $"expected {GradientBytes}");
            }
        }
        if (result.Shards.Count != range.Count)
        {
            return new(
                ResultRefusal.ShardCount, $"{result.Shards.Count} shard statistics for {range.Count} assigned shards");
        }
        for (var i = 0; i < range.Count; i++)
        {
            var outcome = result.Shards[i];
            var expected = shards[range.Start + i].Count;
            if (!double.IsFinite(outcome.LossSum) || outcome.LossSum < 0)
            {
                return new(
                    ResultRefusal.ShardLoss,
                    $"loss {outcome.LossSum} of shard {range.Start + i} is not a finite non-negative number");
            }
            if (outcome.Samples != expected || outcome.Correct < 0 || outcome.Correct > expected)
            {
                return new(
                    ResultRefusal.ShardCounts,
                    $"shard {range.Start + i} reports {outcome.Correct} correct of {outcome.Samples} samples, "
                        + $"it holds {expected}");
            }
        }
        return result.ComputeMicros < 0
            ? new(ResultRefusal.NegativeComputeTime, $"negative compute time {result.ComputeMicros} µs")
            : null;
    }

    /// <summary>
    /// Whether the nodes are exactly <see cref="GradientTree.Cover"/> of the range, walked without allocating.
    /// </summary>
    private static bool MatchesCover(IReadOnlyList<NodeGradient> nodes, int shardCount, ShardRange range)
    {
        var (start, end) = (range.Start, range.End);
        var n = 0;
        while (start < end)
        {
            var size = start == 0 ? shardCount : start & -start;
            while (start + size > end)
            {
                size >>= 1;
            }
            if (n >= nodes.Count || nodes[n].Start != start || nodes[n].Size != size)
            {
                return false;
            }
            n++;
            start += size;
        }
        return n == nodes.Count;
    }

    /// <summary>Refuses NaN or ±Inf (<see cref="CheckValues"/> with no norm bound).</summary>
    public static StepResultRefusal? CheckFinite(TreeNode node, ReadOnlySpan<float> gradient) =>
        CheckValues(node, gradient, double.PositiveInfinity, out _);

    /// <summary>
    /// Refuses NaN or ±Inf, and an L2 norm above <paramref name="maxNorm"/>: finite values far too large to be a
    /// gradient of this model, which would overflow the weights (docs/security.md, "Hostile workers"). One vectorised
    /// pass: the sum of squares is finite only when every value is finite and the norm fits a float, so only a result
    /// that is refused, or one whose squares overflow, is scanned again, to name its first non-finite value.
    /// <paramref name="norm"/> is the gradient's L2 norm (infinite when its squares overflow).
    /// </summary>
    public static StepResultRefusal? CheckValues(
        TreeNode node, ReadOnlySpan<float> gradient, double maxNorm, out double norm)
    {
        var sumOfSquares = TensorPrimitives.SumOfSquares(gradient);
        norm = Math.Sqrt(sumOfSquares);
        if (!float.IsFinite(sumOfSquares) && FirstNonFinite(node, gradient) is { } nonFinite)
        {
            return nonFinite;
        }
        return norm <= maxNorm
            ? null
            : new(
                ResultRefusal.GradientNorm,
                $"gradient of node {node} has L2 norm {norm:G3}, above its bound {maxNorm:G3}");
    }

    private static StepResultRefusal? FirstNonFinite(TreeNode node, ReadOnlySpan<float> gradient)
    {
        for (var i = 0; i < gradient.Length; i++)
        {
            if (!float.IsFinite(gradient[i]))
            {
                return new(
                    ResultRefusal.NonFiniteGradient, $"gradient of node {node} holds {gradient[i]} at parameter {i}");
            }
        }
        return null;
    }
}
