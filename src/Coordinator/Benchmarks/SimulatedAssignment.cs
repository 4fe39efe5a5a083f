using System.Buffers;
using Grpc.Core;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// What a simulated worker needs of an assignment (step, shard range, samples per shard), read from the wire bytes
/// without materialising the weights or pixels: the bench then measures the coordinator, not the peers' parsing.
/// </summary>
internal sealed record SimulatedAssignment(long StepId, int ShardStart, int ShardEnd, int[] SamplesPerShard)
{
    // Field numbers of training.proto: CoordinatorMessage.assignment = 1, StepAssignment.step_id = 1,
    // shard_start = 4, shard_end = 5, shards = 6; ShardData.labels = 2.
    private const int VarintWire = 0;
    private const int LengthWire = 2;

    /// <summary>Any message other than an assignment: the shutdown.</summary>
    public static SimulatedAssignment Shutdown { get; } = new(-1, 0, 0, []);

    public static Marshaller<SimulatedAssignment> Marshaller { get; } = Marshallers.Create<SimulatedAssignment>(
        (SimulatedAssignment _, SerializationContext _) => throw new NotSupportedException("a simulated worker only reads assignments"),
        (DeserializationContext context) => Parse(context.PayloadAsReadOnlySequence()));

    /// <summary>The assignment in a CoordinatorMessage, or <see cref="Shutdown"/> for any other message.</summary>
    public static SimulatedAssignment Parse(ReadOnlySequence<byte> message)
    {
        var reader = new SequenceReader<byte>(message);
        while (!reader.End)
        {
            var (field, wire) = ReadTag(ref reader);
            if (field == 1 && wire == LengthWire)
            {
                var length = (long)ReadVarint(ref reader);
                return ParseAssignment(message.Slice(reader.Position, length));
            }
            Skip(ref reader, wire);
        }
        return Shutdown;
    }

    private static SimulatedAssignment ParseAssignment(ReadOnlySequence<byte> assignment)
    {
        var reader = new SequenceReader<byte>(assignment);
        var (step, start, end) = (0L, 0, 0);
        var samples = new List<int>();
        while (!reader.End)
        {
            var (field, wire) = ReadTag(ref reader);
            switch (field, wire)
            {
                case (1, VarintWire):
                    step = (long)ReadVarint(ref reader);
                    break;
                case (4, VarintWire):
                    start = (int)ReadVarint(ref reader);
                    break;
                case (5, VarintWire):
                    end = (int)ReadVarint(ref reader);
                    break;
                case (6, LengthWire):
                    var length = (long)ReadVarint(ref reader);
                    samples.Add(LabelCount(assignment.Slice(reader.Position, length)));
                    reader.Advance(length);
                    break;
                default:
                    Skip(ref reader, wire);
                    break;
            }
        }
        return new SimulatedAssignment(step, start, end, [.. samples]);
    }

    private static int LabelCount(ReadOnlySequence<byte> shard)
    {
        var reader = new SequenceReader<byte>(shard);
        while (!reader.End)
        {
            var (field, wire) = ReadTag(ref reader);
            if (field == 2 && wire == LengthWire)
            {
                return (int)ReadVarint(ref reader);
            }
            Skip(ref reader, wire);
        }
        return 0;
    }

    private static (int Field, int Wire) ReadTag(ref SequenceReader<byte> reader)
    {
        var tag = ReadVarint(ref reader);
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    private static void Skip(ref SequenceReader<byte> reader, int wire)
    {
        switch (wire)
        {
            case VarintWire:
                ReadVarint(ref reader);
                break;
            case LengthWire:
                reader.Advance((long)ReadVarint(ref reader));
                break;
            case 1:
                reader.Advance(8);
                break;
            case 5:
                reader.Advance(4);
                break;
            default:
                throw new InvalidDataException($"unsupported protobuf wire type {wire}");
        }
    }

    private static ulong ReadVarint(ref SequenceReader<byte> reader)
    {
        var value = 0UL;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                throw new InvalidDataException("truncated varint");
            }
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("varint longer than 10 bytes");
    }
}
