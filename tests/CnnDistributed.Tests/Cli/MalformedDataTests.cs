using CnnDistributed.Core.Data;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Cli;

/// <summary>
/// CONTRACT §3 through the command line: each kind of malformed IDX file makes <c>train</c> exit 2 with one
/// <c>error: FILE: problem</c> line, and nothing is written to <c>--out</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MalformedDataTests : IDisposable
{
    private const int Train = 20;
    private const int Test = 10;

    private readonly TempDirectory _temp = new();

    public static TheoryData<string, string> Kinds() => new()
    {
        { "missing file", "missing (expected" },
        { "wrong magic", "wrong magic number 2049" },
        { "truncated", "truncated: expected" },
        { "count mismatch", "images but" },
        { "label out of range", "label 10 at index 3 is outside 0-9" },
        { "huge header count", "count 4000000000 exceeds the limit" },
        { "wrong image size", "images are 32x32, expected 28x28" },
        { "corrupt gzip", "not a valid gzip stream" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void MalformedFileExitsWithCodeTwoNamingTheFileAndWritesNothing(string kind, string problem)
    {
        var data = _temp.File("data");
        Directory.CreateDirectory(data);
        IdxFileWriter.WriteDataSet(data, Train, Test, gzip: false);
        var culprit = Corrupt(data, kind);
        var output = _temp.File("run");

        var result = CliRunner.Run("train", "--data", data, "--out", output, "--workers", "0", "--epochs", "1");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"error: {culprit}: ", line);
        Assert.Contains(problem, line);
        Assert.False(Directory.Exists(output), "nothing may be written for bad input");
    }

    private static string Corrupt(string data, string kind)
    {
        var images = Path.Combine(data, MnistDataset.TrainImagesFile);
        var labels = Path.Combine(data, MnistDataset.TrainLabelsFile);
        var (pixels, labelBytes) = IdxFileWriter.Samples(Train, seed: 1);
        switch (kind)
        {
            case "missing file":
                File.Delete(labels);
                return labels;
            case "wrong magic":
                IdxFileWriter.Write(images, IdxFileWriter.ImagesHeader(Train, magic: 2049), pixels);
                return images;
            case "truncated":
                IdxFileWriter.Write(images, IdxFileWriter.ImagesHeader(Train), pixels.AsSpan(0, pixels.Length - 100));
                return images;
            case "count mismatch":
                IdxFileWriter.WriteLabels(labels, labelBytes[..^1]);
                return images;
            case "label out of range":
                labelBytes[3] = 10;
                IdxFileWriter.WriteLabels(labels, labelBytes);
                return labels;
            case "huge header count":
                IdxFileWriter.Write(images, IdxFileWriter.ImagesHeader(4_000_000_000), pixels);
                return images;
            case "wrong image size":
                IdxFileWriter.Write(images, IdxFileWriter.ImagesHeader(Train, 32, 32), new byte[Train * 32 * 32]);
                return images;
            case "corrupt gzip":
                File.Delete(images);
                var gzip = images + MnistDataset.GzipSuffix;
                File.WriteAllBytes(gzip, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
                return gzip;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    public void Dispose() => _temp.Dispose();
}
