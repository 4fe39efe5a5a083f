using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;

namespace CnnDistributed.Worker.Runtime.Assignments;

/// <summary>
/// Runs one assignment on the backend: takes new weights when they come, computes every shard of the range and
/// pre-sums the range along the gradient tree, one gradient per maximal aligned node
/// (<see cref="GradientTree.Cover"/>; on the device where the backend can, <see cref="NodeGradientSums"/>). Nothing
/// from the coordinator reaches a kernel unchecked: weights must be the model's size and finite, the range inside the
/// job, each shard's pixels exactly 784 bytes per label and every label a class (0–9); anything else is an
/// <see cref="InvalidDataException"/> and the worker leaves.
/// </summary>
internal sealed class ShardRunner(IComputeBackend backend, int shardCount, TimeProvider timeProvider) : IDisposable
{
    private const int WeightBytes = ModelShape.ParameterCount * sizeof(float);

    private readonly NodeGradientSums _sums = new(backend, shardCount);
    // One wire buffer per node of a cover (at most 2·log2(shards)); a result wraps them, and the caller has finished
    // writing that result before the next Run overwrites them.
    private readonly List<byte[]> _nodeBytes = [];
    private ByteString _weights = ByteString.Empty;
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
            if (!TensorPrimitives.IsFiniteAll(MemoryMarshal.Cast<byte, float>(weights.Data.Span)))
            {
                throw new InvalidDataException($"weights version {weights.Version} hold NaN or infinity");
            }
            _weights = weights.Data;
            _weightsVersion = weights.Version;
        }
        if (_weightsVersion != assignment.WeightsVersion)
        {
            throw new InvalidDataException(
                $"step {assignment.StepId} needs weights version {assignment.WeightsVersion}, "
                + $"this worker holds {_weightsVersion?.ToString() ?? "none"}");
        }
        var (start, end) = (assignment.ShardStart, assignment.ShardEnd);
        if (start < 0 || end > shardCount || start >= end || assignment.Shards.Count != end - start)
        {
            throw new InvalidDataException(
                $"step {assignment.StepId} assigns shards [{start},{end}) "
                + $"with {assignment.Shards.Count} shard payloads in a job of {shardCount} shards");
        }

        var started = timeProvider.GetTimestamp();
        var shards = new ShardSamples[end - start];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = CheckedShard(assignment.Shards[i], start + i);
        }
        var stats = _stats.AsSpan(0, shards.Length);
        var cover = GradientTree.Cover(shardCount, start, end);
        _sums.Compute(
            MemoryMarshal.Cast<byte, float>(_weights.Span),
            shards,
            start,
            cover,
            n => MemoryMarshal.Cast<byte, float>(NodeBuffer(n).AsSpan()),
            stats);

        var result = new StepResult { StepId = assignment.StepId };
        for (var n = 0; n < cover.Count; n++)
        {
            result.Nodes.Add(new NodeGradient
            {
                Start = cover[n].Start,
                Size = cover[n].Size,
                GradientSum = UnsafeByteOperations.UnsafeWrap(NodeBuffer(n)),
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

    private static ShardSamples CheckedShard(ShardData shard, int index)
    {
        var (pixels, labels) = (shard.Pixels.Memory, shard.Labels.Memory);
        if (pixels.Length != (long)labels.Length * ModelShape.Pixels)
        {
            throw new InvalidDataException(
                $"shard {index} has {pixels.Length} pixel bytes for {labels.Length} labels, "
                + $"expected {ModelShape.Pixels} per label");
        }
        var bad = labels.Span.IndexOfAnyInRange((byte)ModelShape.Classes, byte.MaxValue);
        if (bad >= 0)
        {
            throw new InvalidDataException(
                $"shard {index} has label {labels.Span[bad]} at sample {bad}; "
                + $"labels are 0 to {ModelShape.Classes - 1}");
        }
        return new ShardSamples(pixels, labels);
    }

    private byte[] NodeBuffer(int index)
    {
        while (_nodeBytes.Count <= index)
        {
            _nodeBytes.Add(new byte[WeightBytes]);
        }
        return _nodeBytes[index];
    }
}
