using System.Text.Json;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Cli;

[Trait("Category", "Integration")]
public sealed class TrainCommandEndToEndTests
{
    private static readonly string[] MetricsFields =
        ["epoch", "step", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "samples_per_second", "elapsed_s", "workers"];

    private static readonly string[] SummaryFields =
        ["final_test_accuracy", "final_test_loss", "epochs", "steps", "samples", "wall_s", "samples_per_second", "weights_sha256", "workers", "device", "config"];

    /// <summary>Fields we add to CONTRACT §4's summary: peak memory and, for jobs on workers, where step time went.</summary>
    private static readonly string[] SummaryAdditions = ["device_choice", "peak_rss_mb", "step_timings"];

    private static readonly string[] ConfigFields =
        ["data", "epochs", "batch_size", "lr", "momentum", "nesterov", "weight_decay", "lr_schedule", "warmup_steps", "seed", "workers", "threads", "device", "max_steps", "no_shuffle", "normalize", "init_weights", "out", "overwrite", "quiet", "json", "shards", "lr_step_epochs", "lr_gamma", "checkpoint_every", "resume", "worker_wait_timeout", "verify_fraction", "max_norm_ratio", "insecure", "dashboard", "plot", "trace", "trace_steps", "dashboard_listen"];

    [Fact]
    public void ShortRunWritesMetricsSummaryAndModelWithTheContractFields()
    {
        using var temp = new TempDirectory();
        var outDir = temp.File("run");

        var result = CliRunner.Run("train", "--max-steps", "20", "--epochs", "1", "--out", outDir, "--quiet");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        var final = Assert.Single(result.StdoutLines);
        Assert.Contains(outDir, final);

        var metricsLine = Assert.Single(File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")));
        using var metrics = JsonDocument.Parse(metricsLine);
        Assert.Equal(MetricsFields, metrics.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(20, metrics.RootElement.GetProperty("step").GetInt64());

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal(SummaryFields.Concat(SummaryAdditions).Order(), root.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(ConfigFields.Order(), root.GetProperty("config").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(20, root.GetProperty("steps").GetInt64());
        Assert.Equal(20 * 64, root.GetProperty("samples").GetInt64());
        Assert.Equal(2, root.GetProperty("workers").GetInt32());
        Assert.Equal(64, root.GetProperty("config").GetProperty("batch_size").GetInt32());
        Assert.InRange(root.GetProperty("final_test_accuracy").GetDouble(), 0.0, 1.0);

        var weights = SafetensorsFile.Read(Path.Combine(outDir, "model.safetensors"));
        var digest = root.GetProperty("weights_sha256").GetString();
        Assert.Equal(WeightsDigest.Sha256Hex(weights), digest);
        Assert.Contains(digest!, final);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp-*"));
    }

    [Fact]
    public void SameOptionsGiveIdenticalWeightsForOneAndTwoThreads()
    {
        using var temp = new TempDirectory();

        var digests = new[] { "1", "2" }.Select(threads =>
        {
            var outDir = temp.File($"threads-{threads}");
            var result = CliRunner.Run("train", "--max-steps", "30", "--epochs", "1", "--workers", "1", "--threads", threads, "--momentum", "0.9", "--out", outDir, "--quiet");
            Assert.Equal(0, result.ExitCode);
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
            return summary.RootElement.GetProperty("weights_sha256").GetString();
        }).ToList();

        Assert.Equal(digests[0], digests[1]);
    }

    [Fact]
    public void MutualTlsGivesTheWeightsOfTheInsecureRunAndOfTheEngineInThisProcess()
    {
        using var temp = new TempDirectory();
        string[][] runs = [["--workers", "2"], ["--workers", "2", "--insecure"], ["--workers", "0"]];

        var results = runs.Select((flags, i) =>
        {
            var outDir = temp.File($"run-{i}");
            var result = CliRunner.Run(["train", "--max-steps", "12", "--epochs", "1", .. flags, "--out", outDir, "--quiet"]);
            Assert.Equal(0, result.ExitCode);
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
            var config = summary.RootElement.GetProperty("config");
            return (Sha: summary.RootElement.GetProperty("weights_sha256").GetString(), Insecure: config.GetProperty("insecure").GetBoolean());
        }).ToList();

        Assert.Equal([false, true, false], results.Select(r => r.Insecure));
        Assert.Single(results.Select(r => r.Sha).Distinct());
    }

    [Fact]
    public void PlainProgressPrintsOneLinePerEpochWhenNotInteractive()
    {
        using var temp = new TempDirectory();

        var result = CliRunner.Run("train", "--max-steps", "5", "--epochs", "3", "--batch-size", "4000", "--out", temp.File("run"));

        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("device: ", lines[0]);
        Assert.StartsWith("epoch 1/3 step 2 loss=", lines[1]);
        Assert.StartsWith("epoch 2/3 step 4 ", lines[2]);
        Assert.StartsWith("epoch 3/3 step 5 ", lines[3]);
        Assert.StartsWith("done: test accuracy ", lines[4]);
        Assert.Equal(3, File.ReadAllLines(temp.File("run/metrics.jsonl")).Length);
    }

    [Theory]
    [InlineData("cpu", "0", "cpu: the CPU engine, as requested")]
    [InlineData("auto", "1", "auto: chose ")]
    public void TheFirstLineAndTheSummarySayWhichDeviceTheRunTookAndWhy(string device, string workers, string expected)
    {
        using var temp = new TempDirectory();

        var result = CliRunner.Run("train", "--device", device, "--workers", workers, "--max-steps", "1", "--epochs", "1", "--out", temp.File("run"));

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"device: {expected}", result.StdoutLines[0]);
        using var summary = JsonDocument.Parse(File.ReadAllText(temp.File("run/summary.json")));
        Assert.Equal(result.StdoutLines[0], $"device: {summary.RootElement.GetProperty("device_choice").GetString()}");
    }

    [Fact]
    public void JsonProgressPrintsOnlyJsonLinesEndingWithTheSummary()
    {
        using var temp = new TempDirectory();

        var result = CliRunner.Run("train", "--max-steps", "3", "--epochs", "1", "--json", "--out", temp.File("run"));

        Assert.Equal(0, result.ExitCode);
        var types = result.StdoutLines.Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.GetProperty("type").GetString();
        }).ToList();
        Assert.Equal("device", types[0]);
        Assert.Contains("step", types);
        Assert.Equal(["epoch", "summary"], types.TakeLast(2));
    }

    [Fact]
    public void EvaluateReportsAccuracyPerClassAndTheConfusionMatrixOfTrainedWeights()
    {
        using var temp = new TempDirectory();
        var outDir = temp.File("run");
        Assert.Equal(0, CliRunner.Run("train", "--max-steps", "20", "--epochs", "1", "--out", outDir, "--quiet").ExitCode);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));

        var result = CliRunner.Run("evaluate", "--weights", Path.Combine(outDir, "model.safetensors"), "--json");

        Assert.Equal(0, result.ExitCode);
        using var report = JsonDocument.Parse(Assert.Single(result.StdoutLines));
        var root = report.RootElement;
        Assert.Equal(summary.RootElement.GetProperty("final_test_accuracy").GetDouble(), root.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(summary.RootElement.GetProperty("final_test_loss").GetDouble(), root.GetProperty("test_loss").GetDouble());
        Assert.Equal(10, root.GetProperty("per_class_accuracy").GetArrayLength());
        var matrix = root.GetProperty("confusion_matrix").EnumerateArray().Select(row => row.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
        Assert.Equal(10, matrix.Length);
        Assert.All(matrix, row => Assert.Equal(10, row.Length));
        Assert.Equal(root.GetProperty("samples").GetInt32(), matrix.Sum(row => row.Sum()));
        Assert.Equal(root.GetProperty("correct").GetInt32(), Enumerable.Range(0, 10).Sum(c => matrix[c][c]));

        var text = CliRunner.Run("evaluate", "--weights", Path.Combine(outDir, "model.safetensors"));
        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("test accuracy ", text.StdoutLines[0]);
        Assert.Contains("confusion matrix", text.Stdout);
    }
}
