using System.Buffers;
using CnnDistributed.Worker.Wire;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// What a simulated worker needs of an assignment (step, shard range, samples per shard), read from the wire bytes
/// without materialising the weights or pixels: the bench then measures the coordinator, not the peers' parsing.
/// </summary>
internal sealed record SimulatedAssignment(long StepId, int ShardStart, int ShardEnd, int[] SamplesPerShard)
{
    // Field numbers of training.proto: CoordinatorMessage.assignment = 1, StepAssignment.step_id = 1,
    // shard_start = 4, shard_end = 5, shards = 6; ShardData.labels = 2.
    private const int AssignmentField = 1, StepIdField = 1, ShardStartField = 4, ShardEndField = 5, ShardsField = 6, LabelsField = 2;

    /// <summary>Any message other than an assignment: the shutdown.</summary>
    public static SimulatedAssignment Shutdown { get; } = new(-1, 0, 0, []);

    /// <summary>The assignment in a CoordinatorMessage, or <see cref="Shutdown"/> for any other message.</summary>
    public static SimulatedAssignment Parse(ReadOnlySequence<byte> message)
    {
        var reader = new ProtoWireReader(message);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (AssignmentField, WireType.LengthDelimited):
                    return ParseAssignment(reader.ReadLengthDelimited());
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return Shutdown;
    }

    private static SimulatedAssignment ParseAssignment(ReadOnlySequence<byte> assignment)
    {
        var reader = new ProtoWireReader(assignment);
        var (step, start, end) = (0L, 0, 0);
        var samples = new List<int>();
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (StepIdField, WireType.Varint):
                    step = reader.ReadInt64();
                    break;
                case (ShardStartField, WireType.Varint):
                    start = reader.ReadInt32();
                    break;
                case (ShardEndField, WireType.Varint):
                    end = reader.ReadInt32();
                    break;
                case (ShardsField, WireType.LengthDelimited):
                    samples.Add(LabelCount(reader.ReadLengthDelimited()));
                    break;
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return new SimulatedAssignment(step, start, end, [.. samples]);
    }

    private static int LabelCount(ReadOnlySequence<byte> shard)
    {
        var reader = new ProtoWireReader(shard);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (LabelsField, WireType.LengthDelimited):
                    return (int)reader.ReadLengthDelimited().Length;
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return 0;
    }
}
