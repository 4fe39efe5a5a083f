using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Checkpoints;

[Trait("Category", "Unit")]
public sealed class CheckpointFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static TrainingCheckpoint Sample() => new()
    {
        Options = new TrainingOptions { Epochs = 3, Momentum = 0.9f, Nesterov = true, Schedule = LearningRateScheduleKind.Cosine, Seed = 42 },
        Step = 1234,
        Epoch = 2,
        BatchInEpoch = 17,
        EpochLossSum = 12.5,
        EpochCorrect = 1000,
        EpochSamples = 1088,
        ElapsedSeconds = 3.25,
        Parameters = WeightInitializer.Create(11),
        Velocity = WeightInitializer.Create(12),
    };

    [Fact]
    public void RoundTripRestoresEveryFieldBitForBit()
    {
        var path = _directory.File(CheckpointFile.FileName);
        var original = Sample();
        CheckpointFile.Write(path, original);
        var read = CheckpointFile.Read(path);
        Assert.Equal(original.Options, read.Options);
        Assert.Equal(original with { Parameters = [], Velocity = [], CompletedEpochs = [] }, read with { Parameters = [], Velocity = [], CompletedEpochs = [] });
        Assert.Equal(original.CompletedEpochs, read.CompletedEpochs);
        Assert.Equal(original.Parameters, read.Parameters);
        Assert.Equal(original.Velocity, read.Velocity);
        Assert.Single(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void TruncatedCheckpointIsRefusedByName()
    {
        var path = _directory.File(CheckpointFile.FileName);
        CheckpointFile.Write(path, Sample());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        DataFormatAssert.Throws(() => CheckpointFile.Read(path), path, "truncated or corrupt");
    }

    [Fact]
    public void FlippedByteIsCaughtByTheChecksum()
    {
        var path = _directory.File(CheckpointFile.FileName);
        CheckpointFile.Write(path, Sample());
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        DataFormatAssert.Throws(() => CheckpointFile.Read(path), path, "checksum mismatch");
    }

    [Fact]
    public void OtherFilesAreNotMistakenForCheckpoints()
    {
        var path = _directory.File("model.safetensors");
        SafetensorsFile.Write(path, WeightInitializer.Create(1));
        DataFormatAssert.Throws(() => CheckpointFile.Read(path), path, "bad magic");
    }

    [Fact]
    public void MissingCheckpointIsReportedAsMissing()
    {
        var path = _directory.File("nothing-here.bin");
        DataFormatAssert.Throws(() => CheckpointFile.Read(path), path, "missing");
    }

    [Fact]
    public void WriteThatFailsHalfWayLeavesThePreviousCheckpointAndNoTemporaryFile()
    {
        var path = _directory.File(CheckpointFile.FileName);
        CheckpointFile.Write(path, Sample());
        var before = File.ReadAllBytes(path);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100]);
            throw new IOException("disk full");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_directory.Path));
    }

    public void Dispose() => _directory.Dispose();
}
