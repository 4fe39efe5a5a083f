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
    public void BenchPointsTheClusterMeasurementsToTheBenchmarkRunner()
    {
        var result = CliRunner.Run("bench", "--what", "tcp-floor");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "error: --what tcp-floor: cnnd bench measures training only; the cluster benchmarks run with "
                + "dotnet run -c Release --project bench/CnnDistributed.Bench -- --help",
            Assert.Single(result.StderrLines));
    }
}
