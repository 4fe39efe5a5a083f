using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Checkpoints;

/// <summary>A checkpoint whose parameters or velocity hold NaN or an infinity is refused naming the tensor.</summary>
[Trait("Category", "Unit")]
public sealed class CheckpointValuesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteCheckpoint(float[] parameters, float[] velocity)
    {
        var path = _temp.File(CheckpointFile.FileName);
        CheckpointFile.Write(path, new TrainingCheckpoint
        {
            Options = new TrainingOptions(),
            Step = 10,
            Epoch = 0,
            BatchInEpoch = 10,
            EpochLossSum = 1,
            EpochCorrect = 1,
            EpochSamples = 10,
            ElapsedSeconds = 1,
            Parameters = parameters,
            Velocity = velocity,
        });
        return path;
    }

    private static int OffsetOf(string tensor) => ModelShape.Tensors.Single(t => t.Name == tensor).Offset;

    [Fact]
    public void CheckpointWithNaNParametersIsRefusedNamingTheTensor()
    {
        var parameters = WeightInitializer.Create(1);
        parameters[OffsetOf("conv2.weight") + 3] = float.NaN;
        var path = WriteCheckpoint(parameters, new float[ModelShape.ParameterCount]);

        DataFormatAssert.Throws(() => CheckpointFile.Read(path), path, "tensor conv2.weight: element 3 is NaN");
    }

    [Fact]
    public void CheckpointWithAnInfiniteVelocityIsRefusedNamingTheTensor()
    {
        var velocity = new float[ModelShape.ParameterCount];
        velocity[OffsetOf("fc2.bias") + 9] = float.NegativeInfinity;
        var path = WriteCheckpoint(WeightInitializer.Create(1), velocity);

        DataFormatAssert.Throws(
            () => CheckpointFile.Read(path), path, "velocity of tensor fc2.bias: element 9 is -Infinity");
    }
}
