using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Cli;

/// <summary>The built executable as users run it: exit codes and stderr of a real process.</summary>
[Trait("Category", "Integration")]
public sealed class CnndProcessTests
{
    [Fact]
    public async Task UnknownFlagExitsWithCodeTwoAndOneErrorLine()
    {
        using var temp = new TempDirectory();

        var result = await CnndProcess.RunAsync(temp.Path, "train", "--foo");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: unrecognized option '--foo'", Assert.Single(result.StderrLines));
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task MissingDataDirectoryExitsWithCodeTwoNamingTheDirectory()
    {
        using var temp = new TempDirectory();
        var missing = temp.File("nowhere");

        var result = await CnndProcess.RunAsync(temp.Path, "train", "--data", missing, "--out", temp.File("run"));

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(missing, line);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.False(Directory.Exists(temp.File("run")));
    }

    [Fact]
    public async Task DefaultDataIsTheBundledSampleEvenOutsideTheRepository()
    {
        using var temp = new TempDirectory();

        var result = await CnndProcess.RunAsync(temp.Path, "train", "--max-steps", "2", "--epochs", "1", "--out", "run", "--quiet");

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(temp.File("run/summary.json")));
        Assert.Contains(Path.Combine("data", "mnist-sample"), File.ReadAllText(temp.File("run/summary.json")));
    }
}
