using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Cli;

/// <summary>
/// A path the user names that is not a regular file ends the command with one line naming it, exit 2, without
/// blocking and without writing anything.
/// </summary>
[Trait("Category", "Unit")]
public sealed class InputFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static void AssertRefused(CliResult result, string path, string kind)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {path}: not a regular file ({kind})", Assert.Single(result.StderrLines));
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void AFifoAsInitWeightsIsRefusedWithoutBlocking()
    {
        var fifo = SpecialFiles.Fifo(_temp.File("weights.safetensors"));
        var output = _temp.File("run");

        var result = SpecialFiles.Within(() => CliRunner.Run("train", "--init-weights", fifo, "--out", output), fifo);

        AssertRefused(result, fifo, "a named pipe");
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void AFifoAsTheResumedCheckpointIsRefusedWithoutBlocking()
    {
        var fifo = SpecialFiles.Fifo(_temp.File(CheckpointFile.FileName));

        var result = SpecialFiles.Within(() => CliRunner.Run("train", "--resume", _temp.Path), fifo);

        AssertRefused(result, fifo, "a named pipe");
        Assert.Equal([fifo], Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void DevZeroAsEvaluatedWeightsIsRefusedWithoutReadingForEver()
    {
        var result = SpecialFiles.Within(() => CliRunner.Run("evaluate", "--weights", SpecialFiles.Zeros));

        AssertRefused(result, SpecialFiles.Zeros, "a character device");
    }
}
