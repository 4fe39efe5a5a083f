using System.Buffers.Binary;
using System.IO.Compression;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Data;

/// <summary>
/// One MNIST IDX ubyte file of images or labels, raw or gzip (by its <c>.gz</c> suffix). Opening reads and checks
/// the header and, for raw files, the exact length, so nothing large is allocated for a file that cannot be right.
/// Every failure is a one-line <see cref="DataFormatException"/> naming the file.
/// </summary>
internal sealed class IdxReader : IDisposable
{
    public const int ImagesMagic = 2051;
    public const int LabelsMagic = 2049;
    public const int ImagesHeaderLength = 16;
    public const int LabelsHeaderLength = 8;
    public const byte UnsignedByteType = 0x08;
    public const byte MaxLabel = ModelShape.Classes - 1;

    /// <summary>The first buffer size for a gzip payload; it doubles as data actually arrives.</summary>
    private const int InitialGzipCapacity = 1 << 22;

    private readonly Stream _stream;
    private readonly bool _compressed;
    private readonly bool _labels;

    private IdxReader(string path, Stream stream, bool compressed, bool labels, int count)
    {
        Path = path;
        _stream = stream;
        _compressed = compressed;
        _labels = labels;
        Count = count;
    }

    /// <summary>The most samples a file may announce: all images of a split must fit in one byte array.</summary>
    public static int MaxCount { get; } = Array.MaxLength / ModelShape.Pixels;

    public string Path { get; }

    /// <summary>The number of images or labels the header announces (already checked against the limits).</summary>
    public int Count { get; }

    private int ItemSize => _labels ? 1 : ModelShape.Pixels;

    private string ItemName => _labels ? "labels" : "pixels";

    public static IdxReader OpenImages(string path) => Open(path, labels: false);

    public static IdxReader OpenLabels(string path) => Open(path, labels: true);

    /// <summary>Reads the whole payload: pixels image after image, or labels (each checked to be 0–9).</summary>
    public byte[] ReadPayload()
    {
        try
        {
            var expected = Count * ItemSize;
            var payload = _compressed ? ReadCompressed(expected) : ReadRaw(expected);
            if (_labels)
            {
                CheckLabels(payload);
            }
            return payload;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw Wrap(Path, e);
        }
    }

    public void Dispose() => _stream.Dispose();

    private static IdxReader Open(string path, bool labels)
    {
        RegularFile.Require(path);
        Stream? stream = null;
        try
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            stream = file;
            var compressed = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            if (compressed)
            {
                stream = new GZipStream(file, CompressionMode.Decompress);
            }
            var headerLength = labels ? LabelsHeaderLength : ImagesHeaderLength;
            Span<byte> header = stackalloc byte[headerLength];
            var got = stream.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
            if (got < headerLength)
            {
                throw new DataFormatException(
                    path, $"truncated: expected a {headerLength}-byte header, got {got} bytes");
            }
            var count = ParseHeader(path, header, labels);
            var reader = new IdxReader(path, stream, compressed, labels, count);
            if (!compressed)
            {
                CheckRawLength(path, file.Length - headerLength, (long)count * reader.ItemSize, reader.ItemName);
            }
            stream = null;
            return reader;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw Wrap(path, e);
        }
        finally
        {
            stream?.Dispose();
        }
    }

    private static int ParseHeader(string path, ReadOnlySpan<byte> header, bool labels)
    {
        var expectedMagic = labels ? LabelsMagic : ImagesMagic;
        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            var kind = labels ? "labels" : "images";
            if (header[0] == 0 && header[1] == 0 && header[2] != UnsignedByteType && header[3] == (byte)expectedMagic)
            {
                throw new DataFormatException(
                    path,
                    $"unsupported IDX element type 0x{header[2]:X2} "
                    + $"(expected 0x{UnsignedByteType:X2}, unsigned byte, for {kind})");
            }
            throw new DataFormatException(
                path,
                $"wrong magic number {magic} (0x{magic:X8}); "
                + $"expected {expectedMagic} (0x{expectedMagic:X8}) for {kind}");
        }
        var count = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (count > MaxCount)
        {
            throw new DataFormatException(path, $"count {count} exceeds the limit of {MaxCount}");
        }
        if (!labels)
        {
            var rows = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
            var columns = BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
            if (rows != ModelShape.ImageSide || columns != ModelShape.ImageSide)
            {
                throw new DataFormatException(
                    path, $"images are {rows}x{columns}, expected {ModelShape.ImageSide}x{ModelShape.ImageSide}");
            }
        }
        return (int)count;
    }

    private static void CheckRawLength(string path, long actual, long expected, string itemName)
    {
        if (actual < expected)
        {
            throw Truncated(path, expected, actual, itemName);
        }
        if (actual > expected)
        {
            throw new DataFormatException(
                path,
                $"trailing data: {actual - expected} bytes after the {expected} bytes "
                + $"of {itemName} the header announces");
        }
    }

    private static DataFormatException Truncated(string path, long expected, long actual, string itemName) =>
        new(path, $"truncated: expected {expected} bytes of {itemName}, got {actual}");

    private static DataFormatException Wrap(string path, Exception e) => e switch
    {
        InvalidDataException => DataFormatException.FromCause(path, "not a valid gzip stream", e),
        FileNotFoundException or DirectoryNotFoundException => DataFormatException.FromCause(path, "missing", e),
        _ => DataFormatException.FromCause(path, "cannot read", e),
    };

    private byte[] ReadRaw(int expected)
    {
        var buffer = new byte[expected];
        var got = _stream.ReadAtLeast(buffer, expected, throwOnEndOfStream: false);
        if (got < expected)
        {
            throw Truncated(Path, expected, got, ItemName);
        }
        return buffer;
    }

    private byte[] ReadCompressed(int expected)
    {
        // The decompressed size is unknown until read: grow the buffer only as data actually arrives,
        // so a header that overstates its count costs at most twice the bytes really present.
        var buffer = new byte[Math.Min(expected, InitialGzipCapacity)];
        var filled = 0;
        while (filled < expected)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(expected, 2L * buffer.Length));
            }
            var read = _stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                throw Truncated(Path, expected, filled, ItemName);
            }
            filled += read;
        }
        if (_stream.ReadByte() >= 0)
        {
            throw new DataFormatException(
                Path, $"trailing data after the {expected} bytes of {ItemName} the header announces");
        }
        return buffer;
    }

    private void CheckLabels(ReadOnlySpan<byte> labels)
    {
        var bad = labels.IndexOfAnyExceptInRange((byte)0, MaxLabel);
        if (bad >= 0)
        {
            throw new DataFormatException(Path, $"label {labels[bad]} at index {bad} is outside 0-{MaxLabel}");
        }
    }
}
