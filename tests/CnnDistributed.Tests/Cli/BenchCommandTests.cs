using System.Text.Json;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Cli;

[Trait("Category", "Integration")]
public sealed class BenchCommandTests
{
    private static readonly string[] Fields = ["what", "device", "threads", "workers", "batch_size", "samples_per_second", "steps", "seconds"];

    [Fact]
    public void BenchPrintsOneJsonLinePerBatchSizeAndNothingElse()
    {
        var result = CliRunner.Run("bench", "--seconds", "1", "--batch-size", "16,32", "--threads", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        var lines = result.StdoutLines;
        Assert.Equal(2, lines.Length);
        var batchSizes = new List<int>();
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            Assert.Equal(Fields, root.EnumerateObject().Select(p => p.Name).Take(Fields.Length));
            Assert.Equal("train", root.GetProperty("what").GetString());
            Assert.Equal(1, root.GetProperty("threads").GetInt32());
            Assert.True(root.GetProperty("samples_per_second").GetDouble() > 0);
            Assert.True(root.GetProperty("steps").GetInt64() > 0);
            Assert.True(root.GetProperty("seconds").GetDouble() >= 1);
            batchSizes.Add(root.GetProperty("batch_size").GetInt32());
        }
        Assert.Equal([16, 32], batchSizes);
    }

    [Fact]
    public void TcpFloorBenchTrainsOverRawSocketsWithTheGivenWorkers()
    {
        var result = CliRunner.Run("bench", "--what", "tcp-floor", "--workers", "2", "--threads", "1", "--seconds", "1", "--batch-size", "32");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        using var document = JsonDocument.Parse(Assert.Single(result.StdoutLines));
        var root = document.RootElement;
        Assert.Equal(Fields, root.EnumerateObject().Select(p => p.Name).Take(Fields.Length));
        Assert.Equal("tcp-floor", root.GetProperty("what").GetString());
        Assert.Equal(2, root.GetProperty("workers").GetInt32());
        Assert.Equal(32, root.GetProperty("batch_size").GetInt32());
        Assert.True(root.GetProperty("steps").GetInt64() > 0);
    }

    [Fact]
    public void ScalingBenchReportsEachRoundAgainstTheInProcessEngineOfTheSameRound()
    {
        var result = CliRunner.Run("bench", "--what", "scaling", "--workers", "2", "--threads", "1", "--seconds", "0.3", "--batch-size", "16", "--rounds", "2");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        Assert.Equal(2, result.StdoutLines.Length);
        for (var i = 0; i < 2; i++)
        {
            using var document = JsonDocument.Parse(result.StdoutLines[i]);
            var root = document.RootElement;
            Assert.Equal(Fields, root.EnumerateObject().Select(p => p.Name).Take(Fields.Length));
            Assert.Equal("scaling", root.GetProperty("what").GetString());
            Assert.Equal(i + 1, root.GetProperty("round").GetInt32());
            Assert.Equal(2, root.GetProperty("workers").GetInt32());
            var distributed = root.GetProperty("samples_per_second").GetDouble();
            var inProcess = root.GetProperty("in_process_samples_per_second").GetDouble();
            var floor = root.GetProperty("floor_samples_per_second").GetDouble();
            Assert.True(distributed > 0 && inProcess > 0 && floor > 0);
            Assert.Equal(100 * distributed / inProcess, root.GetProperty("percent_of_in_process").GetDouble(), 6);
            Assert.Equal(100 * floor / inProcess, root.GetProperty("floor_percent_of_in_process").GetDouble(), 6);
        }
    }
}
