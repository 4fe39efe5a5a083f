using System.Diagnostics;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Infrastructure;
using CsCheck;
using Google.Protobuf;
using Xunit.Abstractions;

namespace CnnDistributed.Tests.Properties;

/// <summary>
/// The hand-written reader of a worker's messages (<see cref="WorkerMessageReader"/>) over generated messages: every
/// field at any value, gradients of any small length, the payload cut into segments of any size.
/// </summary>
[Trait("Category", "Unit")]
public sealed class WorkerMessageReaderPropertyTests(ITestOutputHelper output)
{
    private const string Seed = "0A1B2C3D4E5F";
    private const int Cases = 10_000;

    private static readonly Gen<NodeGradient> Nodes =
        Gen.Select(Gen.Int, Gen.Int, Gen.Byte.Array[0, 64], (start, size, gradient) =>
            new NodeGradient { Start = start, Size = size, GradientSum = ByteString.CopyFrom(gradient) });

    private static readonly Gen<ShardOutcome> Outcomes =
        Gen.Select(Gen.Double, Gen.Int, Gen.Int, (loss, correct, samples) =>
            new ShardOutcome { LossSum = loss, Correct = correct, Samples = samples });

    private static readonly Gen<WorkerMessage> Messages = Gen.Frequency(
        (1, Gen.Const(() => new WorkerMessage())),
        (9, Gen.Select(Gen.Long, Nodes.Array[0, 5], Outcomes.Array[0, 5], Gen.Long, (step, nodes, shards, micros) =>
        {
            var result = new StepResult { StepId = step, ComputeMicros = micros };
            result.Nodes.AddRange(nodes);
            result.Shards.AddRange(shards);
            return new WorkerMessage { Result = result };
        })));

    private static readonly Gen<int> SegmentBytes = Gen.Frequency((1, Gen.Const(1 << 20)), (3, Gen.Int[1, 64]));

    /// <summary>One edit of a payload: overwrite, flip bits, insert or delete a byte, or cut the payload short.</summary>
    private static readonly Gen<(int Kind, int At, byte Value)[]> Mutations =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 4];

    [Fact]
    public void EveryValidMessageReadsBackEqualWhateverItsSegments()
    {
        var clock = Stopwatch.StartNew();
        FixedSeed.Check(
            Gen.Select(Messages, SegmentBytes),
            ((WorkerMessage Message, int SegmentBytes) c) =>
            {
                var bytes = c.Message.ToByteArray();

                var read = WorkerMessageReader.Parse(SegmentedSequence.Split(bytes, c.SegmentBytes));

                Assert.Equal(c.Message.Result, read.Result);
                Assert.Equal(WorkerMessage.Parser.ParseFrom(bytes).Result, read.Result);
                read.Release();
            },
            Seed,
            Cases,
            c => $"{c.Item1} in segments of {c.Item2} bytes");
        output.WriteLine($"{Cases} cases in {clock.Elapsed.TotalSeconds:0.00} s (seed {Seed})");
    }

    [Fact]
    public void MutatedBytesParseOrThrowOnlyTheDocumentedExceptions()
    {
        var (parsed, refused) = (0, 0);
        var clock = Stopwatch.StartNew();
        FixedSeed.Check(
            Gen.Select(Messages, Mutations, SegmentBytes),
            ((WorkerMessage Message, (int Kind, int At, byte Value)[] Mutations, int SegmentBytes) c) =>
            {
                var bytes = Mutate(c.Message.ToByteArray(), c.Mutations);
                try
                {
                    WorkerMessageReader.Parse(SegmentedSequence.Split(bytes, c.SegmentBytes)).Release();
                    parsed++;
                }
                catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
                {
                    refused++;
                }
            },
            Seed,
            Cases,
            c => $"{c.Item1} with edits [{string.Join(" ", c.Item2)}] in segments of {c.Item3} bytes");
        output.WriteLine($"{Cases} cases in {clock.Elapsed.TotalSeconds:0.00} s (seed {Seed}): "
            + $"{parsed} parsed, {refused} refused");
        Assert.True(parsed > 0 && refused > 0);
    }

    private static byte[] Mutate(byte[] bytes, (int Kind, int At, byte Value)[] mutations)
    {
        var edited = bytes.ToList();
        foreach (var (kind, at, value) in mutations)
        {
            var i = edited.Count == 0 ? 0 : at % edited.Count;
            switch (kind)
            {
                case 0 when edited.Count > 0:
                    edited[i] = value;
                    break;
                case 1 when edited.Count > 0:
                    edited[i] ^= (byte)(1 << (value % 8));
                    break;
                case 2:
                    edited.Insert(edited.Count == 0 ? 0 : at % (edited.Count + 1), value);
                    break;
                case 3 when edited.Count > 0:
                    edited.RemoveAt(i);
                    break;
                case 4:
                    edited.RemoveRange(i, edited.Count - i);
                    break;
            }
        }
        return [.. edited];
    }
}
