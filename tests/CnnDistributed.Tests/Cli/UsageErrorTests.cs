using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Cli;

[Trait("Category", "Unit")]
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("train --foo", "error: unrecognized option '--foo'")]
    [InlineData("frobnicate", "error: unknown command 'frobnicate' (expected one of: train, serve, evaluate, bench, health, certs)")]
    [InlineData("train stray", "error: unexpected argument 'stray'")]
    [InlineData("evaluate", "error: option '--weights' is required")]
    [InlineData("bench --batch-size 16,x", "error: --batch-size must be whole numbers, one or a comma list (got 'x')")]
    [InlineData("bench --batch-size 0", "error: --batch-size must be at least 1 (got 0)")]
    [InlineData("bench --seconds 0", "error: --seconds must be a finite number greater than 0 (got 0)")]
    [InlineData("bench --device opencl", "error: --device opencl: no usable OpenCL device")]
    public void UsageErrorExitsWithCodeTwoAndOneErrorLine(string arguments, string expected)
    {
        var result = CliRunner.Run(arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(expected, Assert.Single(result.StderrLines));
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void NoCommandIsAUsageError()
    {
        var result = CliRunner.Run();

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: missing command", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void EvaluateNamesAMissingWeightsFile()
    {
        using var temp = new TempDirectory();
        var missing = temp.File("missing.safetensors");

        var result = CliRunner.Run("evaluate", "--weights", missing);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {missing}: missing", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void HelpListsTheCommandsAndSucceeds()
    {
        var result = CliRunner.Run("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("train", result.Stdout);
        Assert.Contains("evaluate", result.Stdout);
        Assert.Contains("bench", result.Stdout);
    }
}
