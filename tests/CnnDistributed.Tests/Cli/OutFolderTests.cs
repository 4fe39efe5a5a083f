using CnnDistributed.Coordinator.Cli;
using CnnDistributed.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CnnDistributed.Tests.Cli;

/// <summary>
/// <c>--out</c> naming a folder that holds a run is refused unless <c>--resume</c> continues it or
/// <c>--overwrite</c> replaces it; the default folder never collides.
/// </summary>
[Trait("Category", "Integration")]
public sealed class OutFolderTests : IDisposable
{
    private static readonly string[] ShortJob =
        ["--workers", "0", "--threads", "1", "--device", "cpu", "--max-steps", "1", "--quiet"];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("summary.json")]
    [InlineData("model.safetensors")]
    [InlineData("metrics.jsonl")]
    [InlineData("checkpoint.bin")]
    public void OutHoldingARunIsRefusedUnlessOverwriteOrResume(string file)
    {
        var output = _temp.File("run");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, file), "earlier run");

        foreach (var verb in new[] { "train", "serve" })
        {
            string[] serveOnly = verb == "serve" ? ["--join-timeout", "1"] : [];
            var result = CliRunner.Run([verb, "--insecure", "--out", output, .. serveOnly, .. ShortJob]);

            Assert.Equal(2, result.ExitCode);
            Assert.Equal(
                $"error: --out {output}: already holds a run; continue it with --resume {output} "
                + "or replace it with --overwrite",
                Assert.Single(result.StderrLines));
        }
        Assert.Equal([Path.Combine(output, file)], Directory.GetFileSystemEntries(output));
        Assert.Equal("earlier run", File.ReadAllText(Path.Combine(output, file)));
    }

    [Fact]
    public void OverwriteReplacesTheEarlierRunWholly()
    {
        var output = _temp.File("run");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "summary.json"), "earlier run");

        var result = CliRunner.Run(["train", "--out", output, "--overwrite", "--checkpoint-every", "0", .. ShortJob]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.NotEqual("earlier run", File.ReadAllText(Path.Combine(output, "summary.json")));
    }

    [Fact]
    public void AnEmptyOrUnrelatedFolderIsNoRunAndIsUsed()
    {
        var output = _temp.File("run");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "notes.txt"), "mine");

        var result = CliRunner.Run(["train", "--out", output, .. ShortJob]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(output, "notes.txt")));
    }

    [Fact]
    public void OverwriteWithResumeIsRefused()
    {
        var result = CliRunner.Run("train", "--resume", _temp.Path, "--overwrite");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --overwrite and --resume exclude each other", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void TheDefaultOutSkipsAFolderTakenInTheSameSecond()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero));
        var taken = Path.Combine("runs", "20010203-040506");
        Directory.CreateDirectory(taken);
        try
        {
            var run = new RunOptions();
            run.Resolve(clock);

            Assert.Equal(taken + "-2", run.Out);
        }
        finally
        {
            Directory.Delete(taken);
        }
    }
}
