using System.Text.Json.Nodes;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Core.Model;
using CnnDistributed.Tests.Infrastructure;
using SkiaSharp;

namespace CnnDistributed.Tests.Prediction;

/// <summary>
/// <c>cnnd predict</c> against the engine <c>evaluate</c> uses, pictures of test digits made into PNGs, and the
/// confusion files of <c>evaluate</c>, all with the weights of one short real run.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PredictAndConfusionTests : IClassFixture<PredictAndConfusionTests.TrainedWeights>
{
    private readonly TrainedWeights _trained;

    public PredictAndConfusionTests(TrainedWeights trained) => _trained = trained;

    [Fact]
    public void PredictAgreesWithEvaluatesEngineOnTheFirstHundredTestImages()
    {
        var test = MnistDataset.Load(RepositoryPaths.SampleData).Test;
        var parameters = SafetensorsFile.Read(_trained.Weights);
        using var backend = ComputeBackendFactory.CreateCpu(1, InputScaling.UnitRange);
        var losses = new float[100];
        var expected = new byte[100];
        backend.Evaluate(parameters, test.All.Slice(0, 100), losses, expected);

        for (var i = 0; i < 100; i++)
        {
            var result = CliRunner.Run("predict", "--weights", _trained.Weights, "--index", i.ToString(), "--json");
            Assert.True(result.ExitCode == 0, result.Stderr);
            var prediction = JsonNode.Parse(result.Stdout)!;
            Assert.Equal(expected[i], (int)prediction["label"]!);
            Assert.Equal(test.Labels[i], (int)prediction["true_label"]!);
            var probabilities = prediction["probabilities"]!.AsArray().Select(p => (double)p!).ToArray();
            Assert.Equal(ModelShape.Classes, probabilities.Length);
            Assert.Equal(1.0, probabilities.Sum(), 9);
            Assert.Equal(probabilities.Max(), probabilities[expected[i]]);
        }
    }

    [Fact]
    public void ALargeBlackOnWhitePngOfATestDigitIsPredictedAsTheDigitItself()
    {
        using var temp = new TempDirectory();
        var test = MnistDataset.Load(RepositoryPaths.SampleData).Test;
        var agreed = 0;
        for (var i = 0; i < 20; i++)
        {
            var png = temp.File($"digit-{i}.png");
            WriteInvertedPng(test.Pixels.AsSpan(i * ModelShape.Pixels, ModelShape.Pixels), scale: 5, png);
            var fromIndex = CliRunner.Run("predict", "--weights", _trained.Weights, "--index", i.ToString(), "--json");
            var fromImage = CliRunner.Run("predict", "--weights", _trained.Weights, "--image", png, "--json");
            Assert.True(fromImage.ExitCode == 0, fromImage.Stderr);
            if ((int)JsonNode.Parse(fromIndex.Stdout)!["label"]! == (int)JsonNode.Parse(fromImage.Stdout)!["label"]!)
            {
                agreed++;
            }
        }

        Assert.True(agreed >= 18, $"only {agreed} of 20 pictures were predicted as their digit");
    }

    [Theory]
    [InlineData("not-a-png", "not a PNG file")]
    [InlineData("missing", "missing")]
    [InlineData("huge", "at most 4096 per side")]
    public void UnusableImagesAreOneLineUsageErrors(string kind, string expected)
    {
        using var temp = new TempDirectory();
        var path = temp.File(kind + ".png");
        if (kind == "not-a-png")
        {
            File.WriteAllText(path, "GIF89a");
        }
        else if (kind == "huge")
        {
            using var bitmap = new SKBitmap(5000, 8);
            using var stream = File.Create(path);
            bitmap.Encode(stream, SKEncodedImageFormat.Png, 100);
        }

        var result = CliRunner.Run("predict", "--weights", _trained.Weights, "--image", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.StderrLines));
        Assert.Contains(path, result.Stderr);
    }

    [Theory]
    [InlineData(new string[0], "predict needs one of --index I or --image FILE.png")]
    [InlineData(new[] { "--index", "2004" }, "--index must be from 0 to 2003")]
    [InlineData(new[] { "--index", "1", "--image", "x.png" }, "predict needs one of --index I or --image FILE.png")]
    public void AnImageMustBeNamedOnce(string[] flags, string expected)
    {
        var result = CliRunner.Run(["predict", "--weights", _trained.Weights, .. flags]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.StderrLines));
    }

    [Fact]
    public void EvaluateWritesTheConfusionMatrixAsJsonAndAPicture()
    {
        using var temp = new TempDirectory();

        var result = CliRunner.Run("evaluate", "--weights", _trained.Weights, "--json", "--out", temp.Path);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var report = JsonNode.Parse(result.Stdout)!;
        var confusion = JsonNode.Parse(File.ReadAllText(temp.File("confusion.json")))!;
        Assert.Equal(report["confusion_matrix"]!.ToJsonString(), confusion["confusion_matrix"]!.ToJsonString());
        Assert.Equal(2004, (int)confusion["samples"]!);
        using var picture = SKBitmap.Decode(temp.File("confusion.png"));
        Assert.Equal((640, 640), (picture.Width, picture.Height));
        Assert.True(picture.Pixels.Distinct().Take(3).Count() > 2);
    }

    [Fact]
    public void EvaluateWritesTheConfusionFilesBesideTheWeightsByDefault()
    {
        using var temp = new TempDirectory();
        var weights = temp.File("model.safetensors");
        File.Copy(_trained.Weights, weights);

        var result = CliRunner.Run("evaluate", "--weights", weights);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(temp.File("confusion.json")));
        Assert.True(File.Exists(temp.File("confusion.png")));
    }

    /// <summary>A 28×28 MNIST image enlarged <paramref name="scale"/> times, dark digit on a white page, as a PNG.</summary>
    private static void WriteInvertedPng(ReadOnlySpan<byte> pixels, int scale, string path)
    {
        var side = ModelShape.ImageSide * scale;
        using var bitmap = new SKBitmap(side, side);
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                var ink = (byte)(255 - pixels[(y / scale) * ModelShape.ImageSide + x / scale]);
                bitmap.SetPixel(x, y, new SKColor(ink, ink, ink));
            }
        }
        using var stream = File.Create(path);
        bitmap.Encode(stream, SKEncodedImageFormat.Png, 100);
    }

    /// <summary>The weights of a 2-epoch in-process run on the bundled sample, made once for the class.</summary>
    public sealed class TrainedWeights : IDisposable
    {
        private readonly TempDirectory _folder = new();

        public TrainedWeights()
        {
            var result = CliRunner.Run(
                "train", "--workers", "0", "--epochs", "2", "--out", _folder.File("run"), "--quiet");
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException(result.Stderr);
            }
            Weights = Path.Combine(_folder.File("run"), "model.safetensors");
        }

        public string Weights { get; }

        public void Dispose() => _folder.Dispose();
    }
}
