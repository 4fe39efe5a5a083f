using CnnDistributed.Core.Training;
using ScottPlot;

namespace CnnDistributed.Coordinator.Plots;

/// <summary>
/// The curves of a run's <c>metrics.jsonl</c> as pictures (<c>cnnd plot</c>, <c>train --plot</c>; docs/outputs.md,
/// "Plots"): loss and accuracy (training and test) and samples/s against the epoch, each as PNG and SVG
/// (<see cref="PlotFiles"/>, with the <see cref="PlotFont"/>).
/// </summary>
public static class MetricsPlots
{
    /// <summary>Pixels of each picture.</summary>
    public const int Width = 800;

    public const int Height = 500;

    /// <summary>The files <see cref="Write"/> makes, in order.</summary>
    public static IReadOnlyList<string> Files { get; } =
        ["loss.png", "loss.svg", "accuracy.png", "accuracy.svg", "throughput.png", "throughput.svg"];

    /// <summary>
    /// Writes <see cref="Files"/> into <paramref name="directory"/> (which must exist), each file whole or not at all.
    /// </summary>
    public static void Write(IReadOnlyList<EpochMetrics> epochs, string directory)
    {
        var epoch = epochs.Select(e => (double)e.Epoch).ToArray();
        // Loss falls and accuracy rises: each legend goes where its curves are not.
        Save(directory, "loss", Chart(
            "Loss", "cross-entropy", Alignment.UpperRight, epoch,
            ("training (mean over the epoch)", epochs.Select(e => e.TrainLoss)),
            ("test (end of the epoch)", epochs.Select(e => e.TestLoss))));
        Save(directory, "accuracy", Chart(
            "Accuracy", "fraction correct", Alignment.LowerRight, epoch,
            ("training (mean over the epoch)", epochs.Select(e => e.TrainAccuracy)),
            ("test (end of the epoch)", epochs.Select(e => e.TestAccuracy))));
        Save(directory, "throughput", Chart(
            "Throughput", "training samples per second", Alignment.LowerRight, epoch,
            ("samples/s", epochs.Select(e => e.SamplesPerSecond))));
    }

    private static Plot Chart(
        string title,
        string yLabel,
        Alignment legend,
        double[] epoch,
        params (string Label, IEnumerable<double> Values)[] series)
    {
        var plot = new Plot();
        foreach (var (label, values) in series)
        {
            var line = plot.Add.Scatter(epoch, values.ToArray());
            line.LegendText = label;
            line.LineWidth = 2;
            line.MarkerSize = epoch.Length <= 50 ? 6 : 0;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        if (series.Length > 1)
        {
            plot.ShowLegend(legend);
        }
        return plot;
    }

    private static void Save(string directory, string name, Plot plot) =>
        PlotFiles.Save(plot, directory, name, Width, Height);
}
