using System.Buffers.Binary;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Checkpoints;

/// <summary>
/// The eight tensors of the model (docs/model.md) as a safetensors file (float32, little-endian, PyTorch names): an
/// 8-byte little-endian header length, the JSON header (<see cref="SafetensorsHeader"/>), then the tensor bytes.
/// </summary>
public static class SafetensorsFile
{
    internal const long MaxHeaderLength = 100L * 1024 * 1024;
    private const int LengthFieldSize = sizeof(ulong);

    /// <summary>
    /// Writes atomically: a temporary file beside <paramref name="path"/>, flushed to disk, then renamed over it.
    /// On failure the temporary file is removed and an existing file at <paramref name="path"/> is untouched;
    /// I/O errors propagate unchanged.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != ModelShape.ParameterCount)
        {
            throw new ArgumentException(
                $"expected {ModelShape.ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        }
        var header = SafetensorsHeader.Build();
        var data = LittleEndianFloats.ToBytes(parameters);
        AtomicFile.Write(path, stream =>
        {
            var lengthField = new byte[LengthFieldSize];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthField, (ulong)header.Length);
            stream.Write(lengthField);
            stream.Write(header);
            stream.Write(data);
        });
    }

    /// <summary>
    /// Reads and checks names, dtypes, shapes, offsets and values (all finite); throws
    /// <see cref="DataFormatException"/> naming the file and, where one is at fault, the tensor.
    /// </summary>
    public static float[] Read(string path)
    {
        RegularFile.Require(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var fileLength = stream.Length;
            if (fileLength < LengthFieldSize)
            {
                throw new DataFormatException(
                    path,
                    $"too short: {fileLength} bytes, less than the {LengthFieldSize}-byte header length field");
            }
            var lengthField = new byte[LengthFieldSize];
            stream.ReadExactly(lengthField);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
            if (headerLength > MaxHeaderLength)
            {
                throw new DataFormatException(
                    path, $"header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes");
            }
            if ((long)headerLength > fileLength - LengthFieldSize)
            {
                throw new DataFormatException(
                    path,
                    $"header length {headerLength} exceeds the {fileLength - LengthFieldSize} bytes that follow it");
            }
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            var dataStart = LengthFieldSize + (long)headerLength;
            var begins = SafetensorsHeader.Parse(path, header, fileLength - dataStart);
            var parameters = new float[ModelShape.ParameterCount];
            for (var i = 0; i < ModelShape.Tensors.Count; i++)
            {
                var tensor = ModelShape.Tensors[i];
                var bytes = new byte[tensor.Length * sizeof(float)];
                stream.Position = dataStart + begins[i];
                stream.ReadExactly(bytes);
                LittleEndianFloats.FromBytes(bytes, parameters.AsSpan(tensor.Offset, tensor.Length));
            }
            FiniteTensors.Require(path, parameters);
            return parameters;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataFormatException.FromCause(
                path, e is FileNotFoundException or DirectoryNotFoundException ? "missing" : "cannot read", e);
        }
    }
}
