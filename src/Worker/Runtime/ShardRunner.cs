using System.Diagnostics;
using System.Runtime.InteropServices;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;

namespace CnnDistributed.Worker.Runtime;

/// <summary>
/// Runs one assignment on the backend: takes new weights when they come, computes every shard of the range and
/// pre-sums the range along the gradient tree, one gradient per maximal aligned node (<see cref="GradientTree.Cover"/>).
/// </summary>
internal sealed class ShardRunner(IComputeBackend backend, int shardCount, TimeProvider timeProvider) : IDisposable
{
    private const int WeightBytes = ModelShape.ParameterCount * sizeof(float);

    private readonly float[] _parameters = new float[ModelShape.ParameterCount];
    private readonly float[][] _leaves = CreateLeaves(shardCount);
    private readonly ShardStats[] _stats = new ShardStats[shardCount];
    private ulong? _weightsVersion;

    public StepResult Run(StepAssignment assignment)
    {
        if (assignment.Weights is { } weights)
        {
            if (weights.Data.Length != WeightBytes)
            {
                throw new InvalidDataException($"weights of {weights.Data.Length} bytes, expected {WeightBytes}");
            }
            MemoryMarshal.Cast<byte, float>(weights.Data.Span).CopyTo(_parameters);
            _weightsVersion = weights.Version;
        }
        if (_weightsVersion != assignment.WeightsVersion)
        {
            throw new InvalidDataException($"step {assignment.StepId} needs weights version {assignment.WeightsVersion}, this worker holds {_weightsVersion?.ToString() ?? "none"}");
        }
        var (start, end) = (assignment.ShardStart, assignment.ShardEnd);
        if (start < 0 || end > shardCount || start >= end || assignment.Shards.Count != end - start)
        {
            throw new InvalidDataException($"step {assignment.StepId} assigns shards [{start},{end}) with {assignment.Shards.Count} shard payloads in a job of {shardCount} shards");
        }

        var started = timeProvider.GetTimestamp();
        var shards = new ShardSamples[end - start];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = ShardSamples.Create(assignment.Shards[i].Pixels.Memory, assignment.Shards[i].Labels.Memory);
        }
        var stats = _stats.AsSpan(0, shards.Length);
        backend.ComputeGradients(_parameters, shards, new ArraySegment<float[]>(_leaves, 0, shards.Length), stats);

        var result = new StepResult { StepId = assignment.StepId };
        foreach (var node in GradientTree.Cover(shardCount, start, end))
        {
            var sum = GradientTree.Sum(node, n => n.Size == 1 ? _leaves[n.Start - start] : null);
            result.Nodes.Add(new NodeGradient
            {
                Start = node.Start,
                Size = node.Size,
                GradientSum = ByteString.CopyFrom(MemoryMarshal.AsBytes(sum.AsSpan())),
            });
        }
        foreach (var s in stats)
        {
            result.Shards.Add(new ShardOutcome { LossSum = s.LossSum, Correct = s.Correct, Samples = s.Samples });
        }
        result.ComputeMicros = (long)timeProvider.GetElapsedTime(started).TotalMicroseconds;
        return result;
    }

    public void Dispose() => backend.Dispose();

    private static float[][] CreateLeaves(int count)
    {
        Debug.Assert(count > 0);
        var leaves = new float[count][];
        for (var i = 0; i < count; i++)
        {
            leaves[i] = new float[ModelShape.ParameterCount];
        }
        return leaves;
    }
}
