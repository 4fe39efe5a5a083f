using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CnnDistributed.Coordinator.Prediction;
using CnnDistributed.Coordinator.Runs;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Hosting;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd predict --weights M (--index I [--data DIR] | --image FILE.png)</c>: the label and the ten probabilities
/// the weights give one test image or one picture (<see cref="DigitImage"/>).
/// </summary>
public static class PredictCommand
{
    public static Command Create(CliConsole console)
    {
        var weights = new Option<string>("--weights") { Description = "Weights (.safetensors)", Required = true };
        var index = new Option<int?>("--index") { Description = "Predict test image I (from 0) of --data" };
        var data = new Option<string?>("--data")
        {
            Description = "Folder with the MNIST-format files, for --index [bundled data/mnist-sample]",
        };
        var image = new Option<string?>("--image") { Description = "Predict this PNG (any size, made 28×28 grey)" };
        var normalize = new Option<bool>("--normalize")
        {
            Description = "Inputs (x/255 - 0.1307)/0.3081, as the weights were trained",
        };
        var json = new Option<bool>("--json") { Description = "One JSON object instead of text" };
        var command = new Command("predict", "Predict the digit of one test image or one PNG")
        {
            weights,
            index,
            data,
            image,
            normalize,
            json,
        };
        command.SetAction(parseResult =>
        {
            var prediction = Predict(
                parseResult.GetRequiredValue(weights),
                parseResult.GetValue(index),
                parseResult.GetValue(data),
                parseResult.GetValue(image),
                parseResult.GetValue(normalize) ? InputScaling.MnistNormalized : InputScaling.UnitRange);
            console.Out.WriteLine(parseResult.GetValue(json)
                ? JsonSerializer.Serialize(prediction, JsonFormats.Line)
                : Text(prediction));
            return ExitCodes.Success;
        });
        return command;
    }

    private static DigitPrediction Predict(
        string weightsPath, int? index, string? dataPath, string? imagePath, InputScaling scaling)
    {
        if ((index is null) == (imagePath is null))
        {
            throw new UsageException("predict needs one of --index I or --image FILE.png");
        }
        if (imagePath is not null && dataPath is not null)
        {
            throw new UsageException("--data goes with --index, not with --image");
        }
        var classifier = new DigitClassifier(SafetensorsFile.Read(weightsPath), scaling);
        if (imagePath is not null)
        {
            var (label, probabilities) = classifier.Classify(DigitImage.FromPng(imagePath));
            return new DigitPrediction { Label = label, Probabilities = probabilities, Source = imagePath };
        }
        var folder = dataPath ?? SampleDataLocator.Find();
        var test = MnistDataset.Load(folder).Test;
        if (index < 0 || index >= test.Count)
        {
            throw new UsageException(
                $"--index must be from 0 to {test.Count - 1}, the test images of {folder} (got {index})");
        }
        var i = index!.Value;
        var (predicted, probabilitiesOf) =
            classifier.Classify(test.Pixels.AsSpan(i * ModelShape.Pixels, ModelShape.Pixels));
        return new DigitPrediction
        {
            Label = predicted,
            Probabilities = probabilitiesOf,
            TrueLabel = test.Labels[i],
            Source = $"test image {i} of {folder}",
        };
    }

    private static string Text(DigitPrediction prediction)
    {
        var truth = prediction.TrueLabel is { } label ? $" (true label {label})" : "";
        var probabilities = string.Join(" ", prediction.Probabilities.Select(
            (p, digit) => string.Create(CultureInfo.InvariantCulture, $"{digit}:{p:F4}")));
        return $"{prediction.Source}: {prediction.Label}{truth}\nprobabilities {probabilities}";
    }
}
