using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;

namespace CnnDistributed.Coordinator.Cluster;

/// <summary>
/// Checks a worker's result before any of it touches the job: the step it answers, its node set (exactly the tree cover
/// of what was assigned), every gradient's byte length, finite values, and per-shard statistics. Returns the reason a
/// result is refused, or null.
/// </summary>
public static class StepResultValidator
{
    public const int GradientBytes = ModelShape.ParameterCount * sizeof(float);

    public static string? CheckShape(StepResult result, long step, ShardRange range, int shardCount, IReadOnlyList<ShardSamples> shards)
    {
        if (result.StepId != step)
        {
            return $"result for unknown step {result.StepId} (the step in progress is {step})";
        }
        var cover = GradientTree.Cover(shardCount, range.Start, range.End);
        var sent = result.Nodes.Select(n => new TreeNode(n.Start, n.Size)).ToList();
        if (!sent.SequenceEqual(cover))
        {
            return $"tree nodes {string.Join(" ", sent)} do not match the cover {string.Join(" ", cover)} of assigned shards {range}";
        }
        foreach (var node in result.Nodes)
        {
            if (node.GradientSum.Length != GradientBytes)
            {
                return $"gradient of node {new TreeNode(node.Start, node.Size)} has {node.GradientSum.Length} bytes, expected {GradientBytes}";
            }
        }
        if (result.Shards.Count != range.Count)
        {
            return $"{result.Shards.Count} shard statistics for {range.Count} assigned shards";
        }
        for (var i = 0; i < range.Count; i++)
        {
            var outcome = result.Shards[i];
            var expected = shards[range.Start + i].Count;
            if (!double.IsFinite(outcome.LossSum) || outcome.LossSum < 0)
            {
                return $"loss {outcome.LossSum} of shard {range.Start + i} is not a finite non-negative number";
            }
            if (outcome.Samples != expected || outcome.Correct < 0 || outcome.Correct > expected)
            {
                return $"shard {range.Start + i} reports {outcome.Correct} correct of {outcome.Samples} samples, it holds {expected}";
            }
        }
        return result.ComputeMicros < 0 ? $"negative compute time {result.ComputeMicros} µs" : null;
    }

    public static string? CheckFinite(TreeNode node, ReadOnlySpan<float> gradient)
    {
        for (var i = 0; i < gradient.Length; i++)
        {
            if (!float.IsFinite(gradient[i]))
            {
                return $"gradient of node {node} holds {gradient[i]} at parameter {i}";
            }
        }
        return null;
    }
}
