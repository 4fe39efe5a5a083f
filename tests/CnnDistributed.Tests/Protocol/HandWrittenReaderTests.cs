using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;
using Google.Protobuf;

namespace CnnDistributed.Tests.Protocol;

/// <summary>
/// The hand-written readers of the work stream against the code generated from protos/: for messages with every field
/// set, each reader must return exactly what the generated parser returns. A reader that used a wrong field number, or
/// skipped a field added to the .proto, fails here.
/// </summary>
[Trait("Category", "Unit")]
public sealed class HandWrittenReaderTests
{
    [Theory]
    [InlineData(1 << 20)]
    [InlineData(4096)]
    [InlineData(7)]
    public void TheCoordinatorMessageReaderAgreesWithTheGeneratedParserOnEveryField(int segmentBytes)
    {
        var sent = new CoordinatorMessage { Assignment = FullAssignment() };
        var bytes = sent.ToByteArray();

        var read = new CoordinatorMessageReader().Parse(SegmentedSequence.Split(bytes, segmentBytes));

        Assert.Equal(CoordinatorMessage.Parser.ParseFrom(bytes), read);
    }

    [Fact]
    public void TheCoordinatorMessageReaderReadsAShutdown()
    {
        var bytes = new CoordinatorMessage { Shutdown = new Shutdown { Reason = "the job has finished" } }.ToByteArray();

        var read = new CoordinatorMessageReader().Parse(SegmentedSequence.Split(bytes, 3));

        Assert.Equal(CoordinatorMessage.Parser.ParseFrom(bytes), read);
    }

    [Fact]
    public void WeightsOfAnotherSizeAreReadAsTheyAreForTheWorkerToRefuse()
    {
        var sent = new CoordinatorMessage { Assignment = FullAssignment() };
        sent.Assignment.Weights.Data = ByteString.CopyFrom(new byte[12]);
        var bytes = sent.ToByteArray();

        var read = new CoordinatorMessageReader().Parse(SegmentedSequence.Split(bytes, 4096));

        Assert.Equal(12, read.Assignment.Weights.Data.Length);
        Assert.Equal(CoordinatorMessage.Parser.ParseFrom(bytes), read);
    }

    [Fact]
    public void TheWorkerMessageReaderAgreesWithTheGeneratedParserOnEveryField()
    {
        var sent = new WorkerMessage { Result = FullResult() };
        var bytes = sent.ToByteArray();

        var read = WorkerMessageReader.Parse(SegmentedSequence.Split(bytes, 1000));

        Assert.Equal(WorkerMessage.Parser.ParseFrom(bytes).Result, read.Result);
        read.Release();
    }

    /// <summary>The samples above set every field of every message the readers parse, so a new field cannot go unread.</summary>
    [Fact]
    public void TheSampleMessagesSetEveryFieldOfTheProto()
    {
        var assignment = FullAssignment();
        var result = FullResult();
        AssertEveryFieldSet(assignment);
        AssertEveryFieldSet(assignment.Weights);
        AssertEveryFieldSet(assignment.Shards[0]);
        AssertEveryFieldSet(result);
        AssertEveryFieldSet(result.Nodes[0]);
        AssertEveryFieldSet(result.Shards[0]);
        Assert.Equal(["assignment", "shutdown"], CoordinatorMessage.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
        Assert.Equal(["result"], WorkerMessage.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
    }

    private static StepAssignment FullAssignment()
    {
        var weights = new float[ModelShape.ParameterCount];
        weights.AsSpan().Fill(0.25f);
        var assignment = new StepAssignment
        {
            StepId = 1234567,
            WeightsVersion = 42,
            Weights = new Weights { Version = 42, Data = ByteString.CopyFrom(MemoryMarshal.AsBytes(weights.AsSpan())) },
            ShardStart = 2,
            ShardEnd = 4,
        };
        for (var shard = 0; shard < 2; shard++)
        {
            var pixels = Enumerable.Range(0, 3 * ModelShape.Pixels).Select(i => (byte)(i + shard)).ToArray();
            assignment.Shards.Add(new ShardData { Pixels = ByteString.CopyFrom(pixels), Labels = ByteString.CopyFrom([1, 2, (byte)(3 + shard)]) });
        }
        return assignment;
    }

    private static StepResult FullResult()
    {
        var gradient = new float[ModelShape.ParameterCount];
        gradient.AsSpan().Fill(-0.5f);
        var result = new StepResult { StepId = 99, ComputeMicros = 1234 };
        result.Nodes.Add(new NodeGradient { Start = 2, Size = 2, GradientSum = ByteString.CopyFrom(MemoryMarshal.AsBytes(gradient.AsSpan())) });
        result.Shards.Add(new ShardOutcome { LossSum = 6.5, Correct = 2, Samples = 3 });
        result.Shards.Add(new ShardOutcome { LossSum = 1.25, Correct = 1, Samples = 3 });
        return result;
    }

    private static void AssertEveryFieldSet(IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            var set = value switch
            {
                System.Collections.IList list => list.Count > 0,
                ByteString bytes => !bytes.IsEmpty,
                IMessage nested => nested.CalculateSize() > 0,
                string text => text.Length > 0,
                _ => !Equals(value, Activator.CreateInstance(value.GetType())),
            };
            Assert.True(set, $"{message.Descriptor.Name}.{field.Name} is not set in the sample message");
        }
    }
}
