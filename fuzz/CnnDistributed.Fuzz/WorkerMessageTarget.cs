using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;

namespace CnnDistributed.Fuzz;

/// <summary>
/// The coordinator's reader of a worker's messages (<see cref="WorkerMessageReader"/>): it refuses malformed wire
/// format with <see cref="InvalidDataException"/>, and the generated parser it hands shard outcomes to with
/// <see cref="InvalidProtocolBufferException"/>.
/// </summary>
internal sealed class WorkerMessageTarget : IFuzzTarget
{
    public string Name => "worker-message";

    public void Run(byte[] input)
    {
        try
        {
            WorkerMessageReader.Parse(Segments.Split(input)).Release();
        }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
        }
    }

    public IReadOnlyDictionary<string, byte[]> Seeds()
    {
        var result = new StepResult { StepId = 42, ComputeMicros = 1500 };
        result.Nodes.Add(new NodeGradient { Start = 0, Size = 2, GradientSum = ByteString.CopyFrom(new byte[16]) });
        result.Nodes.Add(new NodeGradient { Start = 2, Size = 1, GradientSum = ByteString.CopyFrom([1, 2, 3, 4]) });
        result.Shards.Add(new ShardOutcome { LossSum = 1.5, Correct = 7, Samples = 8 });
        result.Shards.Add(new ShardOutcome { LossSum = -0.25, Correct = -1, Samples = 1 });
        return new Dictionary<string, byte[]>
        {
            ["result"] = new WorkerMessage { Result = result }.ToByteArray(),
            ["empty-result"] = new WorkerMessage { Result = new StepResult() }.ToByteArray(),
        };
    }
}
