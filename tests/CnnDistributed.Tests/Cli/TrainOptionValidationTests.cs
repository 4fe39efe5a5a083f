using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Cli;

[Trait("Category", "Unit")]
public sealed class TrainOptionValidationTests
{
    [Theory]
    [InlineData("--batch-size 0", "error: --batch-size must be at least 1 (got 0)")]
    [InlineData("--lr nan", "error: --lr must be a finite number greater than 0 (got NaN)")]
    [InlineData("--lr -0.1", "error: --lr must be")]
    [InlineData("--epochs 0", "error: --epochs must be at least 1")]
    [InlineData("--workers -1", "error: --workers must be at least 0")]
    [InlineData("--threads 0", "error: --threads must be at least 1")]
    [InlineData("--shards 3", "error: --shards must be a power of two")]
    [InlineData("--momentum -0.5", "error: --momentum must be at least 0 and less than 1")]
    [InlineData("--momentum 1", "error: --momentum must be at least 0 and less than 1")]
    [InlineData("--nesterov", "error: --nesterov needs a --momentum")]
    [InlineData("--weight-decay -1", "error: --weight-decay must be")]
    [InlineData("--lr-schedule linear", "error: --lr-schedule must be one of constant, step, cosine (got 'linear')")]
    [InlineData("--lr-step-epochs 0", "error: --lr-step-epochs must be at least 1")]
    [InlineData("--lr-gamma 0", "error: --lr-gamma must be")]
    [InlineData("--warmup-steps -1", "error: --warmup-steps must be at least 0")]
    [InlineData("--max-steps 0", "error: --max-steps must be at least 1")]
    [InlineData("--device tpu", "error: --device must be one of")]
    [InlineData("--device cuda", "error: --device cuda: no CUDA device found")]
    [InlineData("--epochs many", "error: cannot parse argument 'many' for option '--epochs'")]
    public void BadOptionExitsWithCodeTwoAndOneErrorLineAndWritesNothing(string arguments, string expectedStart)
    {
        using var temp = new TempDirectory();
        var outDir = temp.File("run");

        var result = CliRunner.Run(["train", .. arguments.Split(' '), "--out", outDir]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith(expectedStart, line);
        Assert.Empty(result.Stdout);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void MissingDataDirectoryIsNamedInTheError()
    {
        using var temp = new TempDirectory();
        var missing = temp.File("no-such-data");

        var result = CliRunner.Run("train", "--data", missing, "--out", temp.File("run"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {missing}: directory not found", Assert.Single(result.StderrLines));
        Assert.False(Directory.Exists(temp.File("run")));
    }

    [Fact]
    public void CorruptDataFileIsNamedInTheError()
    {
        using var temp = new TempDirectory();
        var data = temp.File("data");
        Directory.CreateDirectory(data);
        foreach (var file in Directory.GetFiles(RepositoryPaths.SampleData))
        {
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        }
        var labels = Path.Combine(data, "train-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, [1, 2, 3]);

        var result = CliRunner.Run("train", "--data", data, "--out", temp.File("run"));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {labels}: ", Assert.Single(result.StderrLines));
        Assert.False(Directory.Exists(temp.File("run")));
    }

    [Fact]
    public void UnreadableInitialWeightsAreNamedInTheError()
    {
        using var temp = new TempDirectory();
        var weights = temp.File("bad.safetensors");
        File.WriteAllText(weights, "not a safetensors file");

        var result = CliRunner.Run("train", "--init-weights", weights, "--out", temp.File("run"));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {weights}: ", Assert.Single(result.StderrLines));
        Assert.False(Directory.Exists(temp.File("run")));
    }

    [Fact]
    public void OutPointingToAnExistingFileIsRejected()
    {
        using var temp = new TempDirectory();
        var file = temp.File("taken");
        File.WriteAllText(file, "x");

        var result = CliRunner.Run("train", "--out", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: --out {file}: exists and is not a directory", Assert.Single(result.StderrLines));
        Assert.Equal("x", File.ReadAllText(file));
    }
}
