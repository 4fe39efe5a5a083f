using System.Buffers;
using CnnDistributed.Core.Model;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;

namespace CnnDistributed.Worker.Wire;

/// <summary>
/// Reads the coordinator's messages on one work stream, landing weight sets in one buffer owned by the stream instead of
/// a new 138,488-byte array per step. The stream delivers a message only when the worker asks for the next one, after it
/// has finished with the previous assignment, so overwriting the buffer never touches weights still in use; the
/// <see cref="ShardRunner"/> keeps computing with the same buffer until new weights arrive in it.
/// </summary>
internal sealed class CoordinatorMessageReader
{
    // Field numbers of training.proto.
    private const int AssignmentField = 1, ShutdownField = 2;
    private const int StepIdField = 1, WeightsVersionField = 2, WeightsField = 3, ShardStartField = 4, ShardEndField = 5, ShardsField = 6;
    private const int VersionField = 1, DataField = 2;

    private readonly byte[] _weights = new byte[ModelShape.ParameterCount * sizeof(float)];

    public CoordinatorMessage Parse(ReadOnlySequence<byte> payload)
    {
        var message = new CoordinatorMessage();
        var reader = new ProtoWireReader(payload);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (AssignmentField, WireType.LengthDelimited):
                    message.Assignment = ParseAssignment(reader.ReadLengthDelimited());
                    break;
                case (ShutdownField, WireType.LengthDelimited):
                    message.Shutdown = Shutdown.Parser.ParseFrom(reader.ReadLengthDelimited());
                    break;
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return message;
    }

    private StepAssignment ParseAssignment(ReadOnlySequence<byte> bytes)
    {
        var assignment = new StepAssignment();
        var reader = new ProtoWireReader(bytes);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (StepIdField, WireType.Varint):
                    assignment.StepId = reader.ReadInt64();
                    break;
                case (WeightsVersionField, WireType.Varint):
                    assignment.WeightsVersion = reader.ReadVarint();
                    break;
                case (WeightsField, WireType.LengthDelimited):
                    assignment.Weights = ParseWeights(reader.ReadLengthDelimited());
                    break;
                case (ShardStartField, WireType.Varint):
                    assignment.ShardStart = reader.ReadInt32();
                    break;
                case (ShardEndField, WireType.Varint):
                    assignment.ShardEnd = reader.ReadInt32();
                    break;
                case (ShardsField, WireType.LengthDelimited):
                    assignment.Shards.Add(ShardData.Parser.ParseFrom(reader.ReadLengthDelimited()));
                    break;
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return assignment;
    }

    /// <summary>Weights of the model's size go into the stream's buffer; any other size is copied as is for the runner to refuse.</summary>
    private Weights ParseWeights(ReadOnlySequence<byte> bytes)
    {
        var weights = new Weights();
        var reader = new ProtoWireReader(bytes);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (VersionField, WireType.Varint):
                    weights.Version = reader.ReadVarint();
                    break;
                case (DataField, WireType.LengthDelimited):
                    var data = reader.ReadLengthDelimited();
                    if (data.Length == _weights.Length)
                    {
                        data.CopyTo(_weights);
                        weights.Data = UnsafeByteOperations.UnsafeWrap(_weights);
                    }
                    else
                    {
                        weights.Data = ByteString.CopyFrom(data.ToArray());
                    }
                    break;
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return weights;
    }
}
