using System.CommandLine;
using System.Text.Json;
using CnnDistributed.Coordinator.Evaluation;
using CnnDistributed.Coordinator.Plots;
using CnnDistributed.Coordinator.Runs;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Core.Evaluation;
using CnnDistributed.Hosting;
using Spectre.Console;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd evaluate --weights FILE</c>: test accuracy and loss, per-class accuracy and the confusion matrix.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create(CliConsole console)
    {
        var weights = new Option<string>("--weights")
        {
            Description = "Weights to evaluate (.safetensors)",
            Required = true,
        };
        var data = new Option<string?>("--data")
        {
            Description = "Folder with the MNIST-format files [bundled data/mnist-sample]",
        };
        var normalize = new Option<bool>("--normalize")
        {
            Description = "Inputs (x/255 - 0.1307)/0.3081, as the weights were trained",
        };
        var json = new Option<bool>("--json") { Description = "One JSON object instead of text" };
        var output = new Option<string?>("--out")
        {
            Description = "Folder for confusion.json and confusion.png [the folder of --weights]",
        };
        var command = new Command("evaluate", "Evaluate weights on the test split")
        {
            weights,
            data,
            normalize,
            json,
            output,
        };
        command.SetAction(parseResult => Run(
            console,
            parseResult.GetRequiredValue(weights),
            parseResult.GetValue(data) ?? SampleDataLocator.Find(),
            parseResult.GetValue(normalize) ? InputScaling.MnistNormalized : InputScaling.UnitRange,
            parseResult.GetValue(json),
            parseResult.GetValue(output)));
        return command;
    }

    private static int Run(
        CliConsole console, string weightsPath, string dataPath, InputScaling scaling, bool json, string? output)
    {
        var parameters = SafetensorsFile.Read(weightsPath);
        var directory = output ?? Path.GetDirectoryName(Path.GetFullPath(weightsPath))!;
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--out {directory}: no such folder");
        }
        var dataset = MnistDataset.Load(dataPath);
        using var backend = ComputeBackendFactory.CreateCpu(Environment.ProcessorCount, scaling);
        var evaluation = new SplitEvaluator(backend).Evaluate(parameters, dataset.Test);
        var report = EvaluationReport.From(evaluation, weightsPath, dataPath, backend.DeviceKind);
        WriteConfusion(report, directory);
        if (json)
        {
            console.Out.WriteLine(report.ToJson());
        }
        else if (console.Interactive)
        {
            EvaluationText.Render(AnsiConsole.Console, report);
        }
        else
        {
            console.Out.Write(EvaluationText.Plain(report));
        }
        return ExitCodes.Success;
    }

    /// <summary><c>confusion.json</c> and <c>confusion.png</c> (docs/outputs.md, "confusion.json").</summary>
    private static void WriteConfusion(EvaluationReport report, string directory)
    {
        try
        {
            AtomicFile.WriteAllBytes(
                Path.Combine(directory, "confusion.json"),
                JsonSerializer.SerializeToUtf8Bytes(
                    new { report.Weights, report.Samples, ConfusionMatrix = report.ConfusionMatrix },
                    JsonFormats.Indented));
            ConfusionPicture.Write(report.ConfusionMatrix, directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out {directory}: {e.Message}");
        }
    }
}
