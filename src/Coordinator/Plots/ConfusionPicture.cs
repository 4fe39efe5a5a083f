using System.Globalization;
using CnnDistributed.Core.Model;
using ScottPlot;

namespace CnnDistributed.Coordinator.Plots;

/// <summary>
/// <c>confusion.png</c> of <c>cnnd evaluate</c>: the confusion matrix (ten rows, ten columns) as a heat map (rows: true
/// label, from 0 at the top; columns: predicted), each cell with its count, shaded by the fraction of its row.
/// </summary>
public static class ConfusionPicture
{
    public const int Size = 640;

    /// <summary>
    /// Writes <c>confusion.png</c> of <paramref name="matrix"/> (<c>[label][predicted]</c>) into
    /// <paramref name="directory"/>.
    /// </summary>
    public static void Write(int[][] matrix, string directory)
    {
        const int classes = ModelShape.Classes;
        var shares = new double[classes, classes];
        for (var label = 0; label < classes; label++)
        {
            var total = Math.Max(1, matrix[label].Sum());
            for (var predicted = 0; predicted < classes; predicted++)
            {
                // ScottPlot draws the array's first row at the bottom of this upside-down axis: rows go in reversed.
                shares[classes - 1 - label, predicted] = (double)matrix[label][predicted] / total;
            }
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.CustomInterpolated([Colors.White, Color.FromHex("#08306B")]);
        heatmap.Extent = new CoordinateRect(0, classes - 1, classes - 1, 0);
        for (var label = 0; label < classes; label++)
        {
            for (var predicted = 0; predicted < classes; predicted++)
            {
                var text = matrix[label][predicted].ToString(CultureInfo.InvariantCulture);
                var count = plot.Add.Text(text, predicted, label);
                count.LabelAlignment = Alignment.MiddleCenter;
                count.LabelFontColor = shares[classes - 1 - label, predicted] > 0.5 ? Colors.White : Colors.Black;
                count.LabelFontName = PlotFont.Name;
                count.LabelFontSize = 14;
            }
        }
        var ticks = Enumerable.Range(0, classes).Select(c => (double)c).ToArray();
        var labels = ticks.Select(t => ((int)t).ToString(CultureInfo.InvariantCulture)).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, labels);
        plot.Axes.Left.SetTicks(ticks, labels);
        plot.Axes.SetLimits(-0.5, classes - 0.5, classes - 0.5, -0.5);
        plot.Title("Confusion matrix (test split)");
        plot.XLabel("predicted");
        plot.YLabel("true label");
        PlotFiles.Save(plot, directory, "confusion", Size, Size, svg: false);
    }
}
