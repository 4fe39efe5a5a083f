using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Faults;

/// <summary>A damaged checkpoint is refused with exit code 2 and a message naming it, and nothing is written over it.</summary>
[Trait("Category", "Integration")]
public sealed class CheckpointCorruptionTests
{
    [Fact]
    public void CorruptCheckpointIsRefusedWithExitTwoAndLeftUntouched() =>
        AssertRefused((ref byte[] bytes) => bytes[bytes.Length / 2] ^= 0x40, "corrupt: checksum mismatch");

    [Fact]
    public void TruncatedCheckpointIsRefusedWithExitTwoAndLeftUntouched() =>
        AssertRefused((ref byte[] bytes) => Array.Resize(ref bytes, bytes.Length - 1000), "truncated or corrupt");

    [Fact]
    public void ResumeWithConflictingOptionsIsRefusedWithExitTwoNamingThem()
    {
        using var temp = new TempDirectory();
        var run = temp.File("run");
        Assert.Equal(0, CliRunner.Run("train", "--workers", "0", "--max-steps", "3", "--out", run, "--quiet").ExitCode);

        var result = CliRunner.Run("train", "--resume", run, "--epochs", "3", "--seed", "9", "--workers", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: --resume {run}: options conflict with the checkpoint: --epochs 3 (checkpoint: 10), --seed 9 (checkpoint: 1)", Assert.Single(result.StderrLines));
    }

    private static void AssertRefused(Damage damage, string expectedProblem)
    {
        using var temp = new TempDirectory();
        var run = temp.File("run");
        Assert.Equal(0, CliRunner.Run("train", "--workers", "0", "--max-steps", "3", "--out", run, "--quiet").ExitCode);
        var checkpoint = ResumableJob.CheckpointPath(run);
        var bytes = File.ReadAllBytes(checkpoint);
        damage(ref bytes);
        File.WriteAllBytes(checkpoint, bytes);
        var summaryBefore = File.ReadAllBytes(Path.Combine(run, "summary.json"));

        var result = CliRunner.Run("train", "--resume", run, "--quiet");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(checkpoint, line);
        Assert.Contains(expectedProblem, line);
        Assert.Equal(bytes, File.ReadAllBytes(checkpoint));
        Assert.Equal(summaryBefore, File.ReadAllBytes(Path.Combine(run, "summary.json")));
    }

    private delegate void Damage(ref byte[] bytes);
}
