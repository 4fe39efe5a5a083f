using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;
using Grpc.Core;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// A simulated worker's answer as wire bytes: the StepResult body (node gradients, shard outcomes, compute time) is
/// serialized once per shard range, and each step only prefixes the WorkerMessage header and its step id.
/// </summary>
internal sealed class SimulatedResult
{
    private const byte ResultTag = (1 << 3) | 2;
    private const byte StepIdTag = (1 << 3) | 0;

    private readonly ByteString _gradient;
    private readonly Dictionary<(int Start, int End), (int[] Samples, byte[] Body)> _bodies = [];
    private byte[] _body = [];

    public SimulatedResult(int shardCount)
    {
        ShardCount = shardCount;
        var gradient = new float[ModelShape.ParameterCount];
        gradient.AsSpan().Fill(1e-3f);
        _gradient = ByteString.CopyFrom(MemoryMarshal.AsBytes(gradient.AsSpan()));
    }

    public int ShardCount { get; }

    public long StepId { get; private set; }

    public static Marshaller<SimulatedResult> Marshaller { get; } = Marshallers.Create<SimulatedResult>(
        (SimulatedResult result, SerializationContext context) => result.WriteTo(context),
        (DeserializationContext _) => throw new NotSupportedException("a simulated worker only writes results"));

    /// <summary>Prepares the answer to <paramref name="assignment"/>.</summary>
    public SimulatedResult For(SimulatedAssignment assignment)
    {
        StepId = assignment.StepId;
        var key = (assignment.ShardStart, assignment.ShardEnd);
        if (!_bodies.TryGetValue(key, out var cached) || !cached.Samples.AsSpan().SequenceEqual(assignment.SamplesPerShard))
        {
            cached = (assignment.SamplesPerShard, BuildBody(assignment));
            _bodies[key] = cached;
        }
        _body = cached.Body;
        return this;
    }

    private byte[] BuildBody(SimulatedAssignment assignment)
    {
        var result = new StepResult { ComputeMicros = 1 };
        foreach (var node in GradientTree.Cover(ShardCount, assignment.ShardStart, assignment.ShardEnd))
        {
            result.Nodes.Add(new NodeGradient { Start = node.Start, Size = node.Size, GradientSum = _gradient });
        }
        foreach (var samples in assignment.SamplesPerShard)
        {
            result.Shards.Add(new ShardOutcome { LossSum = 2.3 * samples, Samples = samples });
        }
        return result.ToByteArray();
    }

    private void WriteTo(SerializationContext context)
    {
        var inner = 1 + CodedOutputStream.ComputeInt64Size(StepId) + _body.Length;
        var total = 1 + CodedOutputStream.ComputeLengthSize(inner) + inner;
        context.SetPayloadLength(total);
        var writer = context.GetBufferWriter();
        var span = writer.GetSpan(total);
        var at = 0;
        span[at++] = ResultTag;
        at += WriteVarint(span[at..], (ulong)inner);
        span[at++] = StepIdTag;
        at += WriteVarint(span[at..], (ulong)StepId);
        _body.CopyTo(span[at..]);
        writer.Advance(total);
        context.Complete();
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }
}
