using ScottPlot;

namespace CnnDistributed.Coordinator.Plots;

/// <summary>
/// The DejaVu Sans files shipped beside <c>cnnd</c> (<c>Plots/Fonts</c>, with their licence), registered with
/// ScottPlot once: every picture's text is drawn with them, never with the machine's fonts, so a picture is the same on
/// any machine, fonts installed or not.
/// </summary>
public static class PlotFont
{
    private const string FontName = "cnnd DejaVu Sans";

    private static readonly Lazy<string> Registered = new(Register);

    /// <summary>
    /// The font's name, for text a plot's own font setting does not reach (labels placed on the data).
    /// </summary>
    public static string Name => Registered.Value;

    /// <summary>Sets the title, axis and legend text of <paramref name="plot"/> to the shipped font.</summary>
    public static void Apply(Plot plot) => plot.Font.Set(Registered.Value);

    private static string Register()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Plots", "Fonts");
        Fonts.AddFontFile(FontName, Path.Combine(folder, "DejaVuSans.ttf"), bold: false, italic: false);
        Fonts.AddFontFile(FontName, Path.Combine(folder, "DejaVuSans-Bold.ttf"), bold: true, italic: false);
        return FontName;
    }
}
