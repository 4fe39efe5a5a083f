using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Cli;

/// <summary>
/// <c>--resume</c> goes through the validators of a fresh start: an invalid flag gives the same error with it as
/// without it, and a checkpoint whose options no flag could give is refused naming the checkpoint.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ResumeValidationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteCheckpoint(TrainingOptions options)
    {
        var path = _temp.File(CheckpointFile.FileName);
        CheckpointFile.Write(path, new TrainingCheckpoint
        {
            Options = options,
            Step = 1,
            Epoch = 0,
            BatchInEpoch = 1,
            EpochLossSum = 2.3,
            EpochCorrect = 1,
            EpochSamples = 64,
            ElapsedSeconds = 0.1,
            Parameters = WeightInitializer.Create(options.Seed),
            Velocity = new float[ModelShape.ParameterCount],
        });
        return path;
    }

    [Theory]
    [InlineData("--batch-size 0")]
    [InlineData("--lr nan")]
    [InlineData("--shards 3")]
    [InlineData("--max-steps 0")]
    [InlineData("--workers -1")]
    [InlineData("--threads 0")]
    [InlineData("--device tpu")]
    [InlineData("--checkpoint-every -1")]
    [InlineData("--out")]
    public void InvalidOptionWithResumeExitsTwoWithTheSameMessageAsWithout(string arguments)
    {
        WriteCheckpoint(new TrainingOptions());
        string[] flags = arguments == "--out" ? ["--out", ""] : [.. arguments.Split(' '), "--out", _temp.Path];

        var fresh = CliRunner.Run(["train", .. flags]);
        var resumed = CliRunner.Run(["train", "--resume", _temp.Path, .. flags]);

        Assert.Equal(2, fresh.ExitCode);
        Assert.Equal(2, resumed.ExitCode);
        Assert.Equal(Assert.Single(fresh.StderrLines), Assert.Single(resumed.StderrLines));
        Assert.Equal([_temp.File(CheckpointFile.FileName)], Directory.GetFileSystemEntries(_temp.Path));
    }

    [Theory]
    [InlineData(0, 8, "--batch-size must be at least 1 (got 0)")]
    [InlineData(64, 3, "--shards must be a power of two")]
    public void CheckpointWithOptionsNoFlagCouldGiveIsRefusedNamingIt(int batchSize, int shards, string problem)
    {
        var path = WriteCheckpoint(new TrainingOptions { BatchSize = batchSize, Shards = shards });

        var result = CliRunner.Run("train", "--resume", _temp.Path, "--workers", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(
            $"error: {path}: the checkpoint's options are invalid: {problem}", Assert.Single(result.StderrLines));
        Assert.Equal([path], Directory.GetFileSystemEntries(_temp.Path));
    }
}
