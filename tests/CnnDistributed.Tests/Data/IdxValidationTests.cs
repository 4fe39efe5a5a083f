using System.IO.Compression;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Data;

/// <summary>Each kind of malformed data set is refused with a one-line message naming the file and the problem.</summary>
[Trait("Category", "Unit")]
public sealed class IdxValidationTests : IDisposable
{
    private const int TrainCount = 20;
    private const int TestCount = 10;

    private readonly TempDirectory _temp = new();

    public IdxValidationTests() => IdxFileWriter.WriteDataSet(_temp.Path, TrainCount, TestCount, gzip: false);

    public void Dispose() => _temp.Dispose();

    private string TrainImages => _temp.File(MnistDataset.TrainImagesFile);

    private string TrainLabels => _temp.File(MnistDataset.TrainLabelsFile);

    private void AssertLoadFails(string file, string problem) => DataFormatAssert.Throws(() => MnistDataset.Load(_temp.Path), file, problem);

    /// <summary>Replaces the raw training images with a gzip file of the same content.</summary>
    private string CompressTrainImages()
    {
        var compressed = TrainImages + MnistDataset.GzipSuffix;
        using (var source = File.OpenRead(TrainImages))
        using (var target = new GZipStream(File.Create(compressed), CompressionLevel.Fastest))
        {
            source.CopyTo(target);
        }
        File.Delete(TrainImages);
        return compressed;
    }

    [Fact]
    public void Load_RejectsAMissingDirectory()
    {
        var missing = _temp.File("no-such-directory");

        DataFormatAssert.Throws(() => MnistDataset.Load(missing), missing, "directory not found");
    }

    [Fact]
    public void Load_RejectsAPathThatIsAFile()
    {
        DataFormatAssert.Throws(() => MnistDataset.Load(TrainImages), TrainImages, "not a directory");
    }

    [Fact]
    public void Load_RejectsAMissingFileNamingBothAcceptedNames()
    {
        File.Delete(TrainLabels);

        AssertLoadFails(TrainLabels, "missing (expected train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz)");
    }

    [Fact]
    public void Load_RejectsImagesWithTheLabelsMagic()
    {
        IdxFileWriter.Write(TrainImages, IdxFileWriter.ImagesHeader(TrainCount, magic: IdxReader.LabelsMagic), new byte[TrainCount * ModelShape.Pixels]);

        AssertLoadFails(TrainImages, "wrong magic number 2049 (0x00000801); expected 2051");
    }

    [Fact]
    public void Load_RejectsLabelsWithTheImagesMagic()
    {
        var testLabels = _temp.File(MnistDataset.TestLabelsFile);
        IdxFileWriter.Write(testLabels, IdxFileWriter.LabelsHeader(TestCount, magic: IdxReader.ImagesMagic), new byte[TestCount]);

        AssertLoadFails(testLabels, "wrong magic number 2051 (0x00000803); expected 2049");
    }

    [Fact]
    public void Load_RejectsAnElementTypeOtherThanUnsignedByte()
    {
        IdxFileWriter.Write(TrainImages, IdxFileWriter.ImagesHeader(TrainCount, magic: 0x00000D03), new byte[TrainCount * ModelShape.Pixels * 4]);

        AssertLoadFails(TrainImages, "unsupported IDX element type 0x0D");
    }

    [Fact]
    public void Load_RejectsAFileShorterThanItsHeader()
    {
        File.WriteAllBytes(TrainImages, [0, 0, 8, 3, 0]);

        AssertLoadFails(TrainImages, "truncated: expected a 16-byte header, got 5 bytes");
    }

    [Fact]
    public void Load_RejectsTruncatedRawPixels()
    {
        IdxFileWriter.Write(TrainImages, IdxFileWriter.ImagesHeader(TrainCount), new byte[TrainCount * ModelShape.Pixels - 100]);

        AssertLoadFails(TrainImages, $"truncated: expected {TrainCount * ModelShape.Pixels} bytes of pixels, got {TrainCount * ModelShape.Pixels - 100}");
    }

    [Fact]
    public void Load_RejectsTruncatedGzipPixels()
    {
        File.Delete(TrainImages);
        var compressed = TrainImages + MnistDataset.GzipSuffix;
        IdxFileWriter.Write(compressed, IdxFileWriter.ImagesHeader(TrainCount), new byte[TrainCount * ModelShape.Pixels - 100]);

        AssertLoadFails(compressed, $"truncated: expected {TrainCount * ModelShape.Pixels} bytes of pixels, got {TrainCount * ModelShape.Pixels - 100}");
    }

    [Fact]
    public void Load_RejectsTruncatedLabels()
    {
        IdxFileWriter.Write(TrainLabels, IdxFileWriter.LabelsHeader(TrainCount), new byte[TrainCount - 1]);

        AssertLoadFails(TrainLabels, $"truncated: expected {TrainCount} bytes of labels, got {TrainCount - 1}");
    }

    [Fact]
    public void Load_RejectsImageAndLabelCountsThatDiffer()
    {
        IdxFileWriter.WriteLabels(TrainLabels, new byte[TrainCount - 1]);

        var exception = DataFormatAssert.Throws(() => MnistDataset.Load(_temp.Path), TrainImages, $"has {TrainCount} images but");
        Assert.Contains($"{TrainLabels} has {TrainCount - 1} labels", exception.Problem);
    }

    [Fact]
    public void Load_RejectsALabelOutsideZeroToNineNamingItsIndex()
    {
        var labels = new byte[TrainCount];
        labels[3] = 10;
        labels[5] = 200;
        IdxFileWriter.WriteLabels(TrainLabels, labels);

        AssertLoadFails(TrainLabels, "label 10 at index 3 is outside 0-9");
    }

    [Fact]
    public void Load_RejectsAHeaderClaimingFourBillionImagesWithoutAllocatingForThem()
    {
        IdxFileWriter.Write(TrainImages, IdxFileWriter.ImagesHeader(4_000_000_000), new byte[ModelShape.Pixels]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertLoadFails(TrainImages, $"count 4000000000 exceeds the limit of {IdxReader.MaxCount}");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 4_000_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Load_RejectsARawFileShorterThanItsCountWithoutAllocatingForTheCount()
    {
        IdxFileWriter.Write(TrainImages, IdxFileWriter.ImagesHeader(2_000_000), new byte[TrainCount * ModelShape.Pixels]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertLoadFails(TrainImages, $"truncated: expected {2_000_000L * ModelShape.Pixels} bytes of pixels, got {TrainCount * ModelShape.Pixels}");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 4_000_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Load_RejectsAGzipFileShorterThanItsCountAllocatingFarLessThanTheCountClaims()
    {
        File.Delete(TrainImages);
        var compressed = TrainImages + MnistDataset.GzipSuffix;
        IdxFileWriter.Write(compressed, IdxFileWriter.ImagesHeader(2_000_000), new byte[TrainCount * ModelShape.Pixels]);
        IdxFileWriter.WriteLabels(TrainLabels, new byte[2_000_000]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertLoadFails(compressed, "truncated: expected");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 2_000_000L * ModelShape.Pixels / 50, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(32u, 32u)]
    [InlineData(28u, 27u)]
    public void Load_RejectsImagesThatAreNot28By28(uint rows, uint columns)
    {
        IdxFileWriter.Write(TrainImages, IdxFileWriter.ImagesHeader(TrainCount, rows, columns), new byte[TrainCount * rows * columns]);

        AssertLoadFails(TrainImages, $"images are {rows}x{columns}, expected 28x28");
    }

    [Fact]
    public void Load_RejectsAGzipFileWhoseBytesAreNotGzip()
    {
        File.Delete(TrainImages);
        var compressed = TrainImages + MnistDataset.GzipSuffix;
        var garbage = new byte[4096];
        new Random(5).NextBytes(garbage);
        File.WriteAllBytes(compressed, garbage);

        AssertLoadFails(compressed, "not a valid gzip stream (");
    }

    [Fact]
    public void Load_RejectsARawFileWithTrailingData()
    {
        IdxFileWriter.Write(TrainImages, IdxFileWriter.ImagesHeader(TrainCount), new byte[TrainCount * ModelShape.Pixels + 5]);

        AssertLoadFails(TrainImages, $"trailing data: 5 bytes after the {TrainCount * ModelShape.Pixels} bytes of pixels");
    }

    [Fact]
    public void Load_RejectsAGzipFileWithTrailingData()
    {
        IdxFileWriter.Write(TrainImages, IdxFileWriter.ImagesHeader(TrainCount), new byte[TrainCount * ModelShape.Pixels + 5]);
        var compressed = CompressTrainImages();

        AssertLoadFails(compressed, $"trailing data after the {TrainCount * ModelShape.Pixels} bytes of pixels");
    }

    [Fact]
    public void Load_RejectsAGzipFileCutShort()
    {
        var compressed = CompressTrainImages();
        var bytes = File.ReadAllBytes(compressed);
        File.WriteAllBytes(compressed, bytes[..(bytes.Length / 2)]);

        AssertLoadFails(compressed, "truncated: expected");
    }
}
