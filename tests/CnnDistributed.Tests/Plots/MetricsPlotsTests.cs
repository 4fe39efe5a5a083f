using System.Diagnostics;
using CnnDistributed.Coordinator.Plots;
using CnnDistributed.Tests.Infrastructure;
using SkiaSharp;

namespace CnnDistributed.Tests.Plots;

/// <summary>
/// <c>cnnd plot</c> and <c>train --plot</c>: real PNG and SVG files of a real run's metrics, the same bytes every time,
/// text drawn with the shipped font even where the machine has no fonts.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MetricsPlotsTests
{
    [Fact]
    public void TrainWithPlotWritesEveryPictureIntoTheRunFolder()
    {
        using var temp = new TempDirectory();
        var run = temp.File("run");

        var result = CliRunner.Run(
            "train", "--workers", "0", "--epochs", "3", "--max-steps", "300", "--out", run, "--plot", "--quiet");

        Assert.True(result.ExitCode == 0, result.Stderr);
        foreach (var file in MetricsPlots.Files)
        {
            Assert.True(new FileInfo(Path.Combine(run, file)).Length > 1000, file);
        }
    }

    [Fact]
    public void PngsAreImagesOfTheDocumentedSizeWithMoreThanOneColour()
    {
        using var temp = new TempDirectory();
        var pictures = Plot(temp, "plots");

        foreach (var png in MetricsPlots.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        {
            var bytes = File.ReadAllBytes(Path.Combine(pictures, png));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
            using var bitmap = SKBitmap.Decode(bytes);
            Assert.Equal((MetricsPlots.Width, MetricsPlots.Height), (bitmap.Width, bitmap.Height));
            Assert.True(bitmap.Pixels.Distinct().Take(3).Count() > 2, $"{png} has at most two colours");
        }
    }

    [Fact]
    public void SvgsCarryTheirAxisLabelsAsText()
    {
        using var temp = new TempDirectory();
        var pictures = Plot(temp, "plots");

        foreach (var (file, labels) in new[]
        {
            ("loss.svg", new[] { "Loss", "epoch", "cross-entropy", "training (mean over the epoch)", "test (end of the epoch)" }),
            ("accuracy.svg", ["Accuracy", "epoch", "fraction correct"]),
            ("throughput.svg", ["Throughput", "epoch", "training samples per second"]),
        })
        {
            var svg = File.ReadAllText(Path.Combine(pictures, file));
            Assert.StartsWith("<?xml", svg);
            foreach (var label in labels)
            {
                Assert.Matches($@"<text[^>]*>\s*{System.Text.RegularExpressions.Regex.Escape(label)}\s*</text>", svg);
            }
        }
    }

    [Fact]
    public void IdenticalMetricsGiveIdenticalBytes()
    {
        using var temp = new TempDirectory();
        var first = Plot(temp, "first");
        var second = Plot(temp, "second");

        foreach (var file in MetricsPlots.Files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));
        }
    }

    [MountNamespaceFact]
    public async Task WithoutAnySystemFontTheTextIsStillDrawnTheSame()
    {
        using var temp = new TempDirectory();
        var withFonts = Plot(temp, "with-fonts");
        var metrics = Path.Combine(temp.Path, "metrics.jsonl");
        var withoutFonts = temp.File("without-fonts");

        // A private mount namespace where /usr/share/fonts and fontconfig's folders are empty.
        var hidden = await Run("unshare", "--mount", "sh", "-c",
            "for d in /usr/share/fonts /usr/local/share/fonts /etc/fonts; do [ -d $d ] && mount -t tmpfs none $d; done; "
            + $"exec dotnet {CnndProcess.Executable} plot --metrics {metrics} --out {withoutFonts}");

        Assert.True(hidden.ExitCode == 0, hidden.Output);
        foreach (var file in MetricsPlots.Files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(withFonts, file)), File.ReadAllBytes(Path.Combine(withoutFonts, file)));
        }
    }

    [Theory]
    [InlineData("missing.jsonl", "missing.jsonl: missing")]
    [InlineData("bad.jsonl", "bad.jsonl line 2: not a metrics line")]
    [InlineData("empty.jsonl", "empty.jsonl: no epochs to plot")]
    public void UnusableMetricsAreOneLineUsageErrors(string file, string expected)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("bad.jsonl"), File.ReadAllLines(SampleMetrics(temp))[0] + "\n{\"epoch\": \"x\"}\n");
        File.WriteAllText(temp.File("empty.jsonl"), "");

        var result = CliRunner.Run("plot", "--metrics", temp.File(file), "--out", temp.File("plots"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.StderrLines));
        Assert.False(Directory.Exists(temp.File("plots")));
    }

    /// <summary>Plots the metrics of a short real run into <paramref name="folder"/> under <paramref name="temp"/>.</summary>
    private static string Plot(TempDirectory temp, string folder)
    {
        var metrics = SampleMetrics(temp);
        var result = CliRunner.Run("plot", "--metrics", metrics, "--out", temp.File(folder));
        Assert.True(result.ExitCode == 0, result.Stderr);
        return temp.File(folder);
    }

    /// <summary>metrics.jsonl of a 3-epoch in-process run, made once per temporary folder.</summary>
    private static string SampleMetrics(TempDirectory temp)
    {
        var metrics = temp.File("metrics.jsonl");
        if (!File.Exists(metrics))
        {
            var run = temp.File("run");
            var trained = CliRunner.Run(
                "train", "--workers", "0", "--epochs", "3", "--max-steps", "300", "--out", run, "--quiet");
            Assert.True(trained.ExitCode == 0, trained.Stderr);
            File.Copy(Path.Combine(run, "metrics.jsonl"), metrics);
        }
        return metrics;
    }

    private static async Task<(int ExitCode, string Output)> Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
