using System.Globalization;
using System.Text;
using CnnDistributed.Core.Model;
using Spectre.Console;

namespace CnnDistributed.Coordinator.Evaluation;

/// <summary>
/// An <see cref="EvaluationReport"/> for people: plain aligned text for logs, Spectre tables for a terminal.
/// </summary>
public static class EvaluationText
{
    private const int CellWidth = 6;

    public static string Headline(EvaluationReport report) => string.Create(CultureInfo.InvariantCulture,
        $"test accuracy {report.TestAccuracy:F4} ({report.Correct}/{report.Samples}), test loss {report.TestLoss:F4}, "
        + $"weights {report.Weights}, data {report.Data}");

    public static string Plain(EvaluationReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(Headline(report));
        text.AppendLine();
        text.AppendLine("class  accuracy  samples");
        for (var c = 0; c < ModelShape.Classes; c++)
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{c,5}  {report.PerClassAccuracy[c],8:F4}  {report.ConfusionMatrix[c].Sum(),7}"));
        }
        text.AppendLine();
        text.AppendLine("confusion matrix (rows: true label, columns: predicted)");
        text.Append("label ");
        for (var p = 0; p < ModelShape.Classes; p++)
        {
            text.Append(p.ToString(CultureInfo.InvariantCulture).PadLeft(CellWidth));
        }
        text.AppendLine();
        for (var c = 0; c < ModelShape.Classes; c++)
        {
            text.Append(c.ToString(CultureInfo.InvariantCulture).PadLeft(5)).Append(' ');
            foreach (var count in report.ConfusionMatrix[c])
            {
                text.Append(count.ToString(CultureInfo.InvariantCulture).PadLeft(CellWidth));
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    public static void Render(IAnsiConsole console, EvaluationReport report)
    {
        console.WriteLine(Headline(report));
        var perClass = new Table().Title("per-class accuracy").AddColumns("class", "accuracy", "samples");
        for (var c = 0; c < ModelShape.Classes; c++)
        {
            perClass.AddRow(
                c.ToString(CultureInfo.InvariantCulture),
                report.PerClassAccuracy[c].ToString("F4", CultureInfo.InvariantCulture),
                report.ConfusionMatrix[c].Sum().ToString(CultureInfo.InvariantCulture));
        }
        console.Write(perClass);
        var confusion = new Table().Title("confusion matrix (rows: true label, columns: predicted)").AddColumn("label");
        for (var p = 0; p < ModelShape.Classes; p++)
        {
            confusion.AddColumn(new TableColumn(p.ToString(CultureInfo.InvariantCulture)).RightAligned());
        }
        for (var c = 0; c < ModelShape.Classes; c++)
        {
            var row = report.ConfusionMatrix[c].Select(
                (count, p) => p == c ? $"[green]{count}[/]" : count.ToString(CultureInfo.InvariantCulture));
            confusion.AddRow([c.ToString(CultureInfo.InvariantCulture), .. row]);
        }
        console.Write(confusion);
    }
}
