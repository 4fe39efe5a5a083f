using System.Buffers.Binary;
using System.IO.Compression;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// Writes MNIST IDX files for tests: valid ones, or ones with any header field and payload chosen explicitly.
/// A path ending in <c>.gz</c> is written gzip-compressed. <see cref="MnistDataset.Load"/> prefers the raw
/// file when both exist, so writing a raw file over a gzip data set replaces that file.
/// </summary>
public static class IdxFileWriter
{
    /// <summary>A big-endian IDX header: the magic number, then each dimension.</summary>
    public static byte[] Header(uint magic, params uint[] dimensions)
    {
        var header = new byte[4 * (1 + dimensions.Length)];
        BinaryPrimitives.WriteUInt32BigEndian(header, magic);
        for (var i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 * (i + 1)), dimensions[i]);
        }
        return header;
    }

    public static byte[] ImagesHeader(uint count, uint rows = ModelShape.ImageSide, uint columns = ModelShape.ImageSide, uint magic = IdxReader.ImagesMagic) =>
        Header(magic, count, rows, columns);

    public static byte[] LabelsHeader(uint count, uint magic = IdxReader.LabelsMagic) => Header(magic, count);

    /// <summary>Writes <paramref name="header"/> then <paramref name="payload"/> as they are (gzip-compressed for a <c>.gz</c> path).</summary>
    public static void Write(string path, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        using var file = File.Create(path);
        using Stream stream = path.EndsWith(MnistDataset.GzipSuffix, StringComparison.Ordinal)
            ? new GZipStream(file, CompressionLevel.Fastest)
            : file;
        stream.Write(header);
        stream.Write(payload);
    }

    public static void WriteImages(string path, byte[] pixels) =>
        Write(path, ImagesHeader((uint)(pixels.Length / ModelShape.Pixels)), pixels);

    public static void WriteLabels(string path, byte[] labels) => Write(path, LabelsHeader((uint)labels.Length), labels);

    /// <summary>Deterministic samples: random pixels and labels 0–9 from a seeded generator.</summary>
    public static (byte[] Pixels, byte[] Labels) Samples(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * ModelShape.Pixels];
        random.NextBytes(pixels);
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = (byte)random.Next(ModelShape.Classes);
        }
        return (pixels, labels);
    }

    /// <summary>Writes one split's two files into <paramref name="directory"/>, raw or gzip.</summary>
    public static void WriteSplit(string directory, string imagesFile, string labelsFile, byte[] pixels, byte[] labels, bool gzip)
    {
        var suffix = gzip ? MnistDataset.GzipSuffix : "";
        WriteImages(Path.Combine(directory, imagesFile + suffix), pixels);
        WriteLabels(Path.Combine(directory, labelsFile + suffix), labels);
    }

    /// <summary>Writes a complete valid data set of <see cref="Samples"/> (train seed 1, test seed 2) into <paramref name="directory"/>.</summary>
    public static void WriteDataSet(string directory, int trainCount, int testCount, bool gzip)
    {
        var (trainPixels, trainLabels) = Samples(trainCount, seed: 1);
        var (testPixels, testLabels) = Samples(testCount, seed: 2);
        WriteSplit(directory, MnistDataset.TrainImagesFile, MnistDataset.TrainLabelsFile, trainPixels, trainLabels, gzip);
        WriteSplit(directory, MnistDataset.TestImagesFile, MnistDataset.TestLabelsFile, testPixels, testLabels, gzip);
    }
}
