using CnnDistributed.Core.Model;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Tests.Training;
using CnnDistributed.Worker.Runtime.Assignments;
using Google.Protobuf;

namespace CnnDistributed.Tests.Worker;

/// <summary>
/// The worker distrusts the coordinator as much as the coordinator distrusts it: an assignment whose weights, labels or
/// pixel counts a kernel could not take is refused before the backend sees any of it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class AssignmentCheckTests
{
    private const int Shards = 4;

    private readonly FakeComputeBackend _backend = new();

    [Fact]
    public void AWellFormedAssignmentReachesTheBackend()
    {
        using var runner = Runner();

        var result = runner.Run(Assignment(Weights(1f), Shard(labels: [0, 9, 3])));

        Assert.Single(_backend.Steps);
        Assert.Equal(3, result.Shards[0].Samples);
    }

    [Fact]
    public void ALabelAboveNineIsRefusedBeforeAKernelSeesIt()
    {
        using var runner = Runner();

        var error = Assert.Throws<InvalidDataException>(() => runner.Run(Assignment(Weights(1f), Shard(labels: [1, 10, 2]))));

        Assert.Equal("shard 0 has label 10 at sample 1; labels are 0 to 9", error.Message);
        Assert.Empty(_backend.Steps);
    }

    [Fact]
    public void PixelsThatDoNotMatchTheLabelsAreRefused()
    {
        using var runner = Runner();
        var shard = new ShardData { Pixels = ByteString.CopyFrom(new byte[ModelShape.Pixels + 1]), Labels = ByteString.CopyFrom(new byte[1]) };

        var error = Assert.Throws<InvalidDataException>(() => runner.Run(Assignment(Weights(1f), shard)));

        Assert.Contains("shard 0 has 785 pixel bytes for 1 labels", error.Message);
        Assert.Empty(_backend.Steps);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void WeightsHoldingNaNOrInfinityAreRefused(float poison)
    {
        using var runner = Runner();

        var error = Assert.Throws<InvalidDataException>(() => runner.Run(Assignment(Weights(poison), Shard(labels: [1]))));

        Assert.Equal("weights version 1 hold NaN or infinity", error.Message);
        Assert.Empty(_backend.Steps);
    }

    private ShardRunner Runner() => new(_backend, Shards, TimeProvider.System);

    private static Weights Weights(float poison)
    {
        var values = new float[ModelShape.ParameterCount];
        values[ModelShape.ParameterCount / 2] = poison;
        return new Weights { Version = 1, Data = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };
    }

    private static ShardData Shard(byte[] labels) =>
        new() { Pixels = ByteString.CopyFrom(new byte[labels.Length * ModelShape.Pixels]), Labels = ByteString.CopyFrom(labels) };

    private static StepAssignment Assignment(Weights weights, ShardData shard)
    {
        var assignment = new StepAssignment { StepId = 0, WeightsVersion = weights.Version, ShardStart = 0, ShardEnd = 1, Weights = weights };
        assignment.Shards.Add(shard);
        return assignment;
    }
}
