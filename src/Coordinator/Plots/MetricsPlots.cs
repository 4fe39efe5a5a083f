using System.Text;
using System.Text.RegularExpressions;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Training;
using ScottPlot;

namespace CnnDistributed.Coordinator.Plots;

/// <summary>
/// The curves of a run's <c>metrics.jsonl</c> as pictures (<c>cnnd plot</c>, <c>train --plot</c>; docs/outputs.md,
/// "Plots"): loss and accuracy (training and test) and samples/s against the epoch, each as PNG and SVG. Text is drawn
/// with the DejaVu Sans files shipped beside <c>cnnd</c>, never the machine's fonts, so the same metrics give the same
/// bytes on any machine, fonts installed or not.
/// </summary>
public static partial class MetricsPlots
{
    /// <summary>Pixels of each picture.</summary>
    public const int Width = 800;

    public const int Height = 500;

    /// <summary>The name the shipped font is registered under.</summary>
    private const string FontName = "cnnd DejaVu Sans";

    private static readonly Lazy<string> Font = new(RegisterFont);

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
        plot.Font.Set(Font.Value);
        return plot;
    }

    private static void Save(string directory, string name, Plot plot)
    {
        var png = plot.GetImage(Width, Height).GetImageBytes(ImageFormat.Png);
        var svg = Encoding.UTF8.GetBytes(NumberClipPaths(plot.GetSvgXml(Width, Height)));
        AtomicFile.WriteAllBytes(Path.Combine(directory, name + ".png"), png);
        AtomicFile.WriteAllBytes(Path.Combine(directory, name + ".svg"), svg);
    }

    /// <summary>
    /// Skia names clip paths by a counter that lives as long as the process (cl_4, cl_1a, …): renumbered in order of
    /// appearance, the same plot gives the same SVG whatever was drawn before it.
    /// </summary>
    private static string NumberClipPaths(string svg)
    {
        var numbers = new Dictionary<string, int>();
        return ClipPathId().Replace(
            svg, id => $"clip{(numbers.TryGetValue(id.Value, out var n) ? n : numbers[id.Value] = numbers.Count + 1)}");
    }

    [GeneratedRegex("cl_[0-9a-f]+")]
    private static partial Regex ClipPathId();

    private static string RegisterFont()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Plots", "Fonts");
        Fonts.AddFontFile(FontName, Path.Combine(folder, "DejaVuSans.ttf"), bold: false, italic: false);
        Fonts.AddFontFile(FontName, Path.Combine(folder, "DejaVuSans-Bold.ttf"), bold: true, italic: false);
        return FontName;
    }
}
