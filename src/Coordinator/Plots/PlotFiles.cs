using System.Text;
using System.Text.RegularExpressions;
using CnnDistributed.Core.Checkpoints;
using ScottPlot;

namespace CnnDistributed.Coordinator.Plots;

/// <summary>Writes a plot as PNG and SVG, each file whole or not at all, the same bytes for the same plot.</summary>
public static partial class PlotFiles
{
    /// <summary>
    /// Writes <paramref name="name"/>.png, and with <paramref name="svg"/> also <paramref name="name"/>.svg, into
    /// <paramref name="directory"/>.
    /// </summary>
    public static void Save(Plot plot, string directory, string name, int width, int height, bool svg = true)
    {
        PlotFont.Apply(plot);
        var png = plot.GetImage(width, height).GetImageBytes(ImageFormat.Png);
        AtomicFile.WriteAllBytes(Path.Combine(directory, name + ".png"), png);
        if (svg)
        {
            var xml = Encoding.UTF8.GetBytes(NumberClipPaths(plot.GetSvgXml(width, height)));
            AtomicFile.WriteAllBytes(Path.Combine(directory, name + ".svg"), xml);
        }
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
}
