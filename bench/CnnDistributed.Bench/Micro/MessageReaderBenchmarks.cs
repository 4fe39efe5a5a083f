using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using CnnDistributed.Core.Model;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;

namespace CnnDistributed.Bench.Micro;

/// <summary>
/// Reading the work stream's two large messages with the hand-written readers, against the generated parsers they
/// replace (the anchor): a worker's result with two node gradients, and an assignment with a weight set and 32 samples.
/// </summary>
[MemoryDiagnoser]
public class MessageReaderBenchmarks
{
    private readonly CoordinatorMessageReader _reader = new();
    private ReadOnlySequence<byte> _result;
    private ReadOnlySequence<byte> _assignment;

    [GlobalSetup]
    public void Setup()
    {
        var gradient = ByteString.CopyFrom(MemoryMarshal.AsBytes(new float[ModelShape.ParameterCount].AsSpan()));
        var result = new StepResult { StepId = 7, ComputeMicros = 900 };
        result.Nodes.Add(new NodeGradient { Start = 0, Size = 2, GradientSum = gradient });
        result.Nodes.Add(new NodeGradient { Start = 2, Size = 2, GradientSum = gradient });
        for (var s = 0; s < 4; s++)
        {
            result.Shards.Add(new ShardOutcome { LossSum = 18.4, Correct = 6, Samples = 8 });
        }
        _result = new ReadOnlySequence<byte>(new WorkerMessage { Result = result }.ToByteArray());

        var assignment = new StepAssignment
        {
            StepId = 7,
            WeightsVersion = 3,
            Weights = new Weights { Version = 3, Data = gradient },
            ShardStart = 0,
            ShardEnd = 4,
        };
        for (var s = 0; s < 4; s++)
        {
            assignment.Shards.Add(new ShardData
            {
                Pixels = ByteString.CopyFrom(new byte[8 * ModelShape.Pixels]),
                Labels = ByteString.CopyFrom(new byte[8]),
            });
        }
        _assignment = new ReadOnlySequence<byte>(new CoordinatorMessage { Assignment = assignment }.ToByteArray());
    }

    [Benchmark(Baseline = true)]
    public StepResult GeneratedResultParser() => WorkerMessage.Parser.ParseFrom(_result).Result;

    [Benchmark]
    public int WorkerMessageReader()
    {
        var received = Protocol.Messages.WorkerMessageReader.Parse(_result);
        var nodes = received.Result!.Nodes.Count;
        received.Release();
        return nodes;
    }

    [Benchmark]
    public StepAssignment GeneratedAssignmentParser() => CoordinatorMessage.Parser.ParseFrom(_assignment).Assignment;

    [Benchmark]
    public StepAssignment CoordinatorMessageReader() => _reader.Parse(_assignment).Assignment;
}
