using System.Buffers;
using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;
using Google.Protobuf;

namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class WorkerMessageReaderTests
{
    [Theory]
    [InlineData(1 << 20)]
    [InlineData(4096)]
    [InlineData(13)]
    public void ResultReadsBackEqualToWhatTheGeneratedSerializerWrote(int segmentBytes)
    {
        var sent = new WorkerMessage { Result = Result() };

        var received = WorkerMessageReader.Parse(SegmentedSequence.Split(sent.ToByteArray(), segmentBytes));

        Assert.Equal(sent.Result, received.Result);
        received.Release();
    }

    [Fact]
    public void MessageWithoutResultGivesNoResult()
    {
        var received = WorkerMessageReader.Parse(new ReadOnlySequence<byte>(new WorkerMessage().ToByteArray()));

        Assert.Null(received.Result);
    }

    [Fact]
    public void UnknownFieldsAreSkipped()
    {
        var sent = new WorkerMessage { Result = Result() }.ToByteArray();
        byte[] unknown = [0x78, 0x05, 0x7A, 0x02, 0xAB, 0xCD]; // field 15 varint 5, field 15 bytes {AB CD}

        var received = WorkerMessageReader.Parse(new ReadOnlySequence<byte>([.. unknown, .. sent, .. unknown]));

        Assert.Equal(Result(), received.Result);
    }

    [Fact]
    public void TruncatedGradientThrowsInvalidData()
    {
        var sent = new WorkerMessage { Result = Result() }.ToByteArray();

        Assert.Throws<InvalidDataException>(() => WorkerMessageReader.Parse(new ReadOnlySequence<byte>(sent[..^200])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5_000_000)]
    public void GradientOfAnyLengthIsReadAsSentAndReleasedSafely(int length)
    {
        // field 1 (result) { field 2 (node) { field 3 (gradient_sum) = `length` bytes } }, written by hand so that
        // even an empty bytes field is on the wire.
        var gradient = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var node = Field(3, gradient);
        var result = Field(2, node);
        var message = Field(1, result);

        var received = WorkerMessageReader.Parse(new ReadOnlySequence<byte>(message));

        Assert.Equal(gradient, received.Result!.Nodes.Single().GradientSum.ToByteArray());
        received.Release();
    }

    [Fact]
    public void ReleasedBuffersAreReusedByLaterResults()
    {
        var bytes = new WorkerMessage { Result = Result() }.ToByteArray();
        var first = WorkerMessageReader.Parse(new ReadOnlySequence<byte>(bytes));
        Assert.True(MemoryMarshal.TryGetArray(first.Result!.Nodes[0].GradientSum.Memory, out var firstBuffer));
        first.Release();
        first.Release();

        var second = WorkerMessageReader.Parse(new ReadOnlySequence<byte>(bytes));

        var reused = second.Result!.Nodes.Select(n => MemoryMarshal.TryGetArray(n.GradientSum.Memory, out var segment) ? segment.Array : null);
        Assert.Contains(firstBuffer.Array, reused);
        Assert.Equal(Result(), second.Result);
    }

    private static byte[] Field(int number, byte[] payload)
    {
        using var memory = new MemoryStream();
        var output = new CodedOutputStream(memory);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
        output.Flush();
        return memory.ToArray();
    }

    private static StepResult Result()
    {
        var result = new StepResult { StepId = 41, ComputeMicros = 1234 };
        for (var node = 0; node < 2; node++)
        {
            var gradient = new float[ModelShape.ParameterCount];
            for (var i = 0; i < gradient.Length; i++)
            {
                gradient[i] = (i % 97 - 48) * 1e-3f + node;
            }
            result.Nodes.Add(new NodeGradient { Start = 4 * node, Size = 4, GradientSum = ByteString.CopyFrom(MemoryMarshal.AsBytes(gradient.AsSpan())) });
        }
        for (var shard = 0; shard < 8; shard++)
        {
            result.Shards.Add(new ShardOutcome { LossSum = 2.25 * shard, Correct = shard, Samples = 8 });
        }
        return result;
    }
}
