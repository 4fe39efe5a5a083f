using System.CommandLine;
using CnnDistributed.Coordinator.Plots;
using CnnDistributed.Coordinator.Runs;
using CnnDistributed.Hosting;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd plot --metrics DIR/metrics.jsonl --out DIR</c>: a run's loss, accuracy and throughput curves as PNG and SVG
/// (<see cref="MetricsPlots"/>).
/// </summary>
public static class PlotCommand
{
    public static Command Create(CliConsole console)
    {
        var metrics = new Option<string>("--metrics") { Description = "A run's metrics.jsonl", Required = true };
        var output = new Option<string>("--out")
        {
            Description = "Folder for the pictures (made if missing)",
            Required = true,
        };
        var command = new Command("plot", "Draw a run's metrics.jsonl as loss, accuracy and throughput PNG and SVG")
        {
            metrics,
            output,
        };
        command.SetAction(parseResult =>
        {
            var written = Plot(parseResult.GetRequiredValue(metrics), parseResult.GetRequiredValue(output));
            console.Out.WriteLine($"plots: {string.Join(' ', written)}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Draws <paramref name="metricsPath"/> into <paramref name="directory"/>; returns the files' paths.
    /// </summary>
    public static IReadOnlyList<string> Plot(string metricsPath, string directory)
    {
        var epochs = MetricsFile.Read(metricsPath);
        if (epochs.Count == 0)
        {
            throw new UsageException($"{metricsPath}: no epochs to plot");
        }
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out {directory}: {e.Message}");
        }
        MetricsPlots.Write(epochs, directory);
        return MetricsPlots.Files.Select(file => Path.Combine(directory, file)).ToList();
    }
}
