using System.Buffers.Binary;
using System.Security.Cryptography;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Fuzz;

/// <summary>
/// The checkpoint reader of <c>--resume</c> (<see cref="CheckpointFile"/>); a file that cannot be used is refused
/// with <see cref="DataFormatException"/>. The input is a checkpoint's head (magic, version, JSON length, JSON): the
/// target appends the two tensors, which any bytes fill validly, and the SHA-256 trailer, so that mutations reach the
/// length checks and the JSON rather than dying at the checksum.
/// </summary>
internal sealed class CheckpointTarget : IFuzzTarget
{
    private const int TensorBytes = ModelShape.ParameterCount * sizeof(float);

    public string Name => "checkpoint";

    public void Run(byte[] input)
    {
        var file = new byte[input.Length + 2 * TensorBytes + SHA256.HashSizeInBytes];
        input.CopyTo(file, 0);
        SHA256.HashData(file.AsSpan(0, file.Length - SHA256.HashSizeInBytes), file.AsSpan(^SHA256.HashSizeInBytes));
        try
        {
            CheckpointFile.Read(ScratchFile.Write(file, ".bin"));
        }
        catch (DataFormatException)
        {
        }
    }

    public IReadOnlyDictionary<string, byte[]> Seeds()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cnnd-fuzz-seed-{Environment.ProcessId}.bin");
        CheckpointFile.Write(path, new TrainingCheckpoint
        {
            Options = new TrainingOptions { Epochs = 2, Momentum = 0.9f, Seed = 7 },
            Step = 12,
            Epoch = 1,
            BatchInEpoch = 3,
            EpochLossSum = 4.5,
            EpochCorrect = 100,
            EpochSamples = 192,
            ElapsedSeconds = 1.25,
            CompletedEpochs =
            [
                new EpochMetrics
                {
                    Epoch = 1,
                    Step = 9,
                    TrainLoss = 0.5,
                    TrainAccuracy = 0.9,
                    TestLoss = 0.4,
                    TestAccuracy = 0.91,
                    SamplesPerSecond = 1000,
                    ElapsedSeconds = 1,
                    Workers = 2,
                },
            ],
            Parameters = WeightInitializer.Create(1),
            Velocity = new float[ModelShape.ParameterCount],
        });
        var file = File.ReadAllBytes(path);
        File.Delete(path);
        var head = file[..(16 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(12)))];
        return new Dictionary<string, byte[]> { ["checkpoint-head"] = head };
    }
}
