using System.Text.Json;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Bench;

/// <summary>The benchmark runner of bench/CnnDistributed.Bench, run as its own process as a user runs it.</summary>
[Trait("Category", "Integration")]
public sealed class BenchRunnerTests
{
    private static readonly string[] Fields = ["what", "device", "threads", "workers", "batch_size", "samples_per_second", "steps", "seconds"];

    [Fact]
    public async Task TcpFloorTrainsOverRawSocketsWithTheGivenWorkers()
    {
        var result = await CnndProcess.RunBenchAsync("tcp-floor", "--workers", "2", "--threads", "1", "--seconds", "1", "--batch-size", "32");

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
    public async Task ScalingReportsEachRoundAgainstTheInProcessEngineOfTheSameRound()
    {
        var result = await CnndProcess.RunBenchAsync("scaling", "--workers", "2", "--threads", "1", "--seconds", "0.3", "--batch-size", "16", "--rounds", "2");

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

    [Fact]
    public async Task ChecksReportsEachRoundAgainstTheSameJobWithTheChecksOffAndTheMedians()
    {
        var result = await CnndProcess.RunBenchAsync("checks", "--workers", "2", "--threads", "1", "--seconds", "0.3", "--batch-size", "16", "--rounds", "2");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        Assert.Equal(3, result.StdoutLines.Length);
        var percents = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            using var document = JsonDocument.Parse(result.StdoutLines[i]);
            var root = document.RootElement;
            Assert.Equal(i < 2 ? "checks" : "checks-median", root.GetProperty("what").GetString());
            Assert.Equal("checks-off", root.GetProperty("baseline").GetString());
            Assert.Equal(Math.Min(i + 1, 2), root.GetProperty("round").GetInt32());
            var measured = root.GetProperty("samples_per_second").GetDouble();
            var baseline = root.GetProperty("baseline_samples_per_second").GetDouble();
            Assert.True(measured > 0 && baseline > 0);
            if (i < 2)
            {
                Assert.Equal(100 * measured / baseline, root.GetProperty("percent_of_baseline").GetDouble(), 6);
                percents.Add(root.GetProperty("percent_of_baseline").GetDouble());
            }
            else
            {
                Assert.Equal(percents.Average(), root.GetProperty("percent_of_baseline").GetDouble(), 6);
            }
        }
    }

    [Theory]
    [InlineData("tcp-floor --workers 3", "error: --workers must be a power of two up to --shards (8) for tcp-floor (got 3)")]
    [InlineData("scaling --workers 2 --rounds 0", "error: --rounds must be at least 1 (got 0)")]
    [InlineData("coordinator --workers 0", "error: --workers must be at least 1 (got 0)")]
    [InlineData("coordinator --batch-size 16,x", "error: --batch-size must be whole numbers, one or a comma list (got 'x')")]
    public async Task BadOptionsExitWithCodeTwoAndOneErrorLine(string arguments, string expected)
    {
        var result = await CnndProcess.RunBenchAsync(arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(expected, Assert.Single(result.StderrLines));
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task MicroListsTheBenchmarksOfEveryHotPath()
    {
        var result = await CnndProcess.RunBenchAsync("micro", "--list", "flat");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("TreeSumBenchmarks.SumAlongTheTree", result.Stdout);
        Assert.Contains("MessageReaderBenchmarks.WorkerMessageReader", result.Stdout);
        Assert.Contains("ShardKernelBenchmarks.GradientsOfOneStep", result.Stdout);
    }
}
