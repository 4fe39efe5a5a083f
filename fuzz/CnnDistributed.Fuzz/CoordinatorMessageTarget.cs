using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;

namespace CnnDistributed.Fuzz;

/// <summary>
/// The worker's reader of the coordinator's messages (<see cref="CoordinatorMessageReader"/>): it refuses malformed
/// wire format with <see cref="InvalidDataException"/>, and the generated parser it hands shutdowns to with
/// <see cref="InvalidProtocolBufferException"/>. One reader per input, as one per work stream.
/// </summary>
internal sealed class CoordinatorMessageTarget : IFuzzTarget
{
    public string Name => "coordinator-message";

    public void Run(byte[] input)
    {
        try
        {
            new CoordinatorMessageReader().Parse(Segments.Split(input));
        }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
        }
    }

    public IReadOnlyDictionary<string, byte[]> Seeds()
    {
        var assignment = new StepAssignment
        {
            StepId = 3,
            WeightsVersion = 2,
            Weights = new Weights { Version = 2, Data = ByteString.CopyFrom(new byte[12]) },
            ShardStart = 4,
            ShardEnd = 6,
        };
        assignment.Shards.Add(new ShardData { Pixels = ByteString.CopyFrom(new byte[8]), Labels = ByteString.CopyFrom([1, 9]) });
        assignment.Shards.Add(new ShardData { Pixels = ByteString.CopyFrom([255, 0, 128]), Labels = ByteString.CopyFrom([0]) });
        return new Dictionary<string, byte[]>
        {
            ["assignment"] = new CoordinatorMessage { Assignment = assignment }.ToByteArray(),
            ["shutdown"] = new CoordinatorMessage { Shutdown = new Shutdown { Reason = "job finished" } }.ToByteArray(),
        };
    }
}
