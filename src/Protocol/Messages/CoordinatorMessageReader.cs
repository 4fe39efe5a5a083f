using System.Buffers;
using CnnDistributed.Core.Model;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Protocol.Wire;
using Google.Protobuf;

namespace CnnDistributed.Protocol.Messages;

/// <summary>
/// Reads the coordinator's messages on one work stream, landing weight sets and shard samples in buffers owned by the
/// stream instead of new arrays per step (a 138,488-byte weight set and ~50 KB of pixels at batch 64). The stream
/// delivers a message only when the worker asks for the next one, after it has finished with the previous assignment,
/// so overwriting the buffers never touches data still in use; the worker keeps computing with the
/// weight buffer until new weights arrive in it.
/// </summary>
public sealed class CoordinatorMessageReader
{
    private readonly byte[] _weights = new byte[ModelShape.ParameterCount * sizeof(float)];
    // The pixels and labels of the latest assignment, one field after another; grown to the largest assignment seen.
    private byte[] _samples = [];
    private int _samplesUsed;

    internal CoordinatorMessage Parse(ReadOnlySequence<byte> payload)
    {
        var message = new CoordinatorMessage();
        var reader = new ProtoWireReader(payload);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (CoordinatorMessage.AssignmentFieldNumber, WireType.LengthDelimited):
                    message.Assignment = ParseAssignment(reader.ReadLengthDelimited());
                    break;
                case (CoordinatorMessage.ShutdownFieldNumber, WireType.LengthDelimited):
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
        // The assignment's length bounds the sample bytes in it.
        if (_samples.Length < bytes.Length)
        {
            _samples = new byte[bytes.Length];
        }
        _samplesUsed = 0;
        var assignment = new StepAssignment();
        var reader = new ProtoWireReader(bytes);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (StepAssignment.StepIdFieldNumber, WireType.Varint):
                    assignment.StepId = reader.ReadInt64();
                    break;
                case (StepAssignment.WeightsVersionFieldNumber, WireType.Varint):
                    assignment.WeightsVersion = reader.ReadVarint();
                    break;
                case (StepAssignment.WeightsFieldNumber, WireType.LengthDelimited):
                    assignment.Weights = ParseWeights(reader.ReadLengthDelimited());
                    break;
                case (StepAssignment.ShardStartFieldNumber, WireType.Varint):
                    assignment.ShardStart = reader.ReadInt32();
                    break;
                case (StepAssignment.ShardEndFieldNumber, WireType.Varint):
                    assignment.ShardEnd = reader.ReadInt32();
                    break;
                case (StepAssignment.ShardsFieldNumber, WireType.LengthDelimited):
                    assignment.Shards.Add(ParseShard(reader.ReadLengthDelimited()));
                    break;
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return assignment;
    }

    private ShardData ParseShard(ReadOnlySequence<byte> bytes)
    {
        var shard = new ShardData();
        var reader = new ProtoWireReader(bytes);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (ShardData.PixelsFieldNumber, WireType.LengthDelimited):
                    shard.Pixels = KeepSamples(reader.ReadLengthDelimited());
                    break;
                case (ShardData.LabelsFieldNumber, WireType.LengthDelimited):
                    shard.Labels = KeepSamples(reader.ReadLengthDelimited());
                    break;
                case var (_, wire):
                    reader.Skip(wire);
                    break;
            }
        }
        return shard;
    }

    private ByteString KeepSamples(ReadOnlySequence<byte> field)
    {
        var kept = _samples.AsMemory(_samplesUsed, (int)field.Length);
        field.CopyTo(kept.Span);
        _samplesUsed += kept.Length;
        return UnsafeByteOperations.UnsafeWrap(kept);
    }

    /// <summary>
    /// Weights of the model's size go into the stream's buffer; any other size is copied as is for the runner to
    /// refuse.
    /// </summary>
    private Weights ParseWeights(ReadOnlySequence<byte> bytes)
    {
        var weights = new Weights();
        var reader = new ProtoWireReader(bytes);
        while (!reader.End)
        {
            switch (reader.ReadTag())
            {
                case (Weights.VersionFieldNumber, WireType.Varint):
                    weights.Version = reader.ReadVarint();
                    break;
                case (Weights.DataFieldNumber, WireType.LengthDelimited):
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
