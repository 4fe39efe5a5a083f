using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// A simulated worker's answer as wire bytes: the StepResult body (node gradients, shard outcomes, compute time) is
/// serialized once per shard range behind room for a header, and each step writes only the gRPC length prefix, the
/// WorkerMessage header and its step id in front of it, so the whole message leaves from one array without a copy.
/// </summary>
internal sealed class SimulatedResult
{
    private const byte ResultTag = (1 << 3) | 2;
    private const byte StepIdTag = (1 << 3) | 0;
    // gRPC prefix + result tag (1) + length varint (up to 5) + step tag (1) + step varint (up to 10).
    private const int HeaderRoom = GrpcMessagePrefix.Size + 17;

    private readonly ByteString _gradient;
    private readonly Dictionary<(int Start, int End), (int[] Samples, byte[] Message)> _messages = [];

    public SimulatedResult(int shardCount)
    {
        ShardCount = shardCount;
        var gradient = new float[ModelShape.ParameterCount];
        gradient.AsSpan().Fill(1e-3f);
        _gradient = ByteString.CopyFrom(MemoryMarshal.AsBytes(gradient.AsSpan()));
    }

    public int ShardCount { get; }

    /// <summary>
    /// The answer to <paramref name="assignment"/> as one length-prefixed gRPC message; it stays valid until the next
    /// call for the same shard range.
    /// </summary>
    public ReadOnlyMemory<byte> MessageFor(SimulatedAssignment assignment)
    {
        var key = (assignment.ShardStart, assignment.ShardEnd);
        if (!_messages.TryGetValue(key, out var cached) || !cached.Samples.AsSpan().SequenceEqual(assignment.SamplesPerShard))
        {
            cached = (assignment.SamplesPerShard, BuildBody(assignment));
            _messages[key] = cached;
        }
        var message = cached.Message;
        var bodyLength = message.Length - HeaderRoom;
        Span<byte> header = stackalloc byte[HeaderRoom];
        var inner = 1 + CodedOutputStream.ComputeInt64Size(assignment.StepId) + bodyLength;
        var at = GrpcMessagePrefix.Size;
        header[at++] = ResultTag;
        at += WriteVarint(header[at..], (ulong)inner);
        header[at++] = StepIdTag;
        at += WriteVarint(header[at..], (ulong)assignment.StepId);
        GrpcMessagePrefix.Write(header, at - GrpcMessagePrefix.Size + bodyLength);
        var start = HeaderRoom - at;
        header[..at].CopyTo(message.AsSpan(start));
        return message.AsMemory(start);
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
        var message = new byte[HeaderRoom + result.CalculateSize()];
        result.WriteTo(message.AsSpan(HeaderRoom));
        return message;
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
