using System.Buffers;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Protocol.Wire;
using Google.Protobuf;

namespace CnnDistributed.Protocol.Messages;

/// <summary>
/// Reads a worker's message with its node gradients in pooled buffers rather than a new 138,488-byte array each (see
/// <see cref="ProtoWireReader"/>); everything else is parsed as the generated code would. A message without a result
/// gives a <see cref="ReceivedResult"/> without one (never null: to gRPC a null message means the stream ended).
/// </summary>
internal static class WorkerMessageReader
{
    public static ReceivedResult Parse(ReadOnlySequence<byte> payload)
    {
        var received = new ReceivedResult(null, []);
        var reader = new ProtoWireReader(payload);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (WorkerMessage.ResultFieldNumber, WireType.LengthDelimited):
                    received.Release();
                    received = ParseResult(reader.ReadLengthDelimited());
                    break;
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return received;
    }

    private static ReceivedResult ParseResult(ReadOnlySequence<byte> bytes)
    {
        var result = new StepResult();
        var rented = new List<byte[]>();
        var received = new ReceivedResult(result, rented);
        try
        {
            var reader = new ProtoWireReader(bytes);
            while (!reader.End)
            {
                switch (reader.ReadTag())
                {
                    case (StepResult.StepIdFieldNumber, WireType.Varint):
                        result.StepId = reader.ReadInt64();
                        break;
                    case (StepResult.NodesFieldNumber, WireType.LengthDelimited):
                        result.Nodes.Add(ParseNode(reader.ReadLengthDelimited(), rented));
                        break;
                    case (StepResult.ShardsFieldNumber, WireType.LengthDelimited):
                        result.Shards.Add(ShardOutcome.Parser.ParseFrom(reader.ReadLengthDelimited()));
                        break;
                    case (StepResult.ComputeMicrosFieldNumber, WireType.Varint):
                        result.ComputeMicros = reader.ReadInt64();
                        break;
                    case var (_, wire):
                        reader.Skip(wire);
                        break;
                }
            }
        }
        catch
        {
            received.Release();
            throw;
        }
        return received;
    }

    private static NodeGradient ParseNode(ReadOnlySequence<byte> bytes, List<byte[]> rented)
    {
        var node = new NodeGradient();
        var reader = new ProtoWireReader(bytes);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (NodeGradient.StartFieldNumber, WireType.Varint):
                    node.Start = reader.ReadInt32();
                    break;
                case (NodeGradient.SizeFieldNumber, WireType.Varint):
                    node.Size = reader.ReadInt32();
                    break;
                case (NodeGradient.GradientSumFieldNumber, WireType.LengthDelimited):
                    var gradient = reader.ReadLengthDelimited();
                    var buffer = ArrayPool<byte>.Shared.Rent((int)gradient.Length);
                    rented.Add(buffer);
                    gradient.CopyTo(buffer);
                    node.GradientSum = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, (int)gradient.Length));
                    break;
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return node;
    }
}
