using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Faults;

/// <summary>
/// A run whose weights overflow ends with one line and exit code 1 instead of training on NaN: the step is not
/// applied, the checkpoint holds the finite state before it, and no final outputs are written. On workers, the same
/// shard refused for NaN twice in one step ends the job instead of dropping honest workers for ever.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DivergenceTests
{
    [Theory]
    [InlineData("0", "step 1: the summed gradient holds NaN or infinity; the weights stay those before the step")]
    [InlineData("2", "step 1: shard 0 was refused for its values on two workers in turn")]
    public void ALearningRateThatOverflowsTheWeightsEndsTheRunWithTheStateBeforeTheStep(string workers, string error)
    {
        using var temp = new TempDirectory();
        var outDir = temp.File("run");

        var result = CliRunner.Run("train", "--workers", workers, "--lr", "1e38", "--max-steps", "5", "--out", outDir, "--quiet");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StderrLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(error, line);
        Assert.DoesNotContain("   at ", result.Stderr);
        var checkpoint = CheckpointFile.Read(Path.Combine(outDir, CheckpointFile.FileName));
        Assert.Equal(1, checkpoint.Step);
        Assert.All(checkpoint.Parameters, p => Assert.True(float.IsFinite(p)));
        Assert.All(checkpoint.Velocity, v => Assert.True(float.IsFinite(v)));
        Assert.False(File.Exists(Path.Combine(outDir, "summary.json")));
        Assert.False(File.Exists(Path.Combine(outDir, "model.safetensors")));
    }
}
