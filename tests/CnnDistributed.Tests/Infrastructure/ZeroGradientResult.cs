using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>A well-formed result for an assignment: a zero gradient for every tree node of its range, loss 1 per shard.</summary>
public static class ZeroGradientResult
{
    public static StepResult For(StepAssignment assignment, int shardCount, long computeMicros)
    {
        var result = new StepResult { StepId = assignment.StepId, ComputeMicros = computeMicros };
        var gradient = ByteString.CopyFrom(MemoryMarshal.AsBytes(new float[ModelShape.ParameterCount].AsSpan()));
        foreach (var node in GradientTree.Cover(shardCount, assignment.ShardStart, assignment.ShardEnd))
        {
            result.Nodes.Add(new NodeGradient { Start = node.Start, Size = node.Size, GradientSum = gradient });
        }
        foreach (var shard in assignment.Shards)
        {
            result.Shards.Add(new ShardOutcome { LossSum = 1.0, Correct = 0, Samples = shard.Labels.Length });
        }
        return result;
    }
}
