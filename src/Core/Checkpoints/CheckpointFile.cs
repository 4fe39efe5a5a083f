using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Checkpoints;

/// <summary>
/// The on-disk form of a <see cref="TrainingCheckpoint"/>, written atomically:
/// <c>"CNNDCKPT"</c> · u32 format version · u32 JSON length · JSON (everything but the tensors) ·
/// parameters (float32 LE) · velocity (float32 LE) · SHA-256 of all preceding bytes.
/// The trailing hash catches truncation and corruption before anything is used.
/// </summary>
public static class CheckpointFile
{
    /// <summary>The checkpoint's name inside a run's output folder (docs/outputs.md).</summary>
    public const string FileName = "checkpoint.bin";

    internal const uint FormatVersion = 1;

    private static readonly byte[] Magic = "CNNDCKPT"u8.ToArray();
    private const int MaxJsonLength = 1 << 20;
    private const int TensorBytes = ModelShape.ParameterCount * sizeof(float);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>
    /// Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically (<see cref="AtomicFile"/>); throws
    /// <see cref="ArgumentException"/> unless it holds a full parameter vector and a velocity of the same length.
    /// </summary>
    public static void Write(string path, TrainingCheckpoint checkpoint)
    {
        if (checkpoint.Parameters.Length != ModelShape.ParameterCount
            || checkpoint.Velocity.Length != ModelShape.ParameterCount)
        {
            throw new ArgumentException(
                $"a checkpoint holds {ModelShape.ParameterCount} parameters and as many velocities",
                nameof(checkpoint));
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(checkpoint with { Parameters = [], Velocity = [] }, Json);
        var bytes = new byte[Magic.Length + 8 + json.Length + 2 * TensorBytes + SHA256.HashSizeInBytes];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)json.Length);
        json.CopyTo(span[16..]);
        var tensors = span.Slice(16 + json.Length, 2 * TensorBytes);
        LittleEndianFloats.ToBytes(checkpoint.Parameters).CopyTo(tensors);
        LittleEndianFloats.ToBytes(checkpoint.Velocity).CopyTo(tensors[TensorBytes..]);
        SHA256.HashData(span[..^SHA256.HashSizeInBytes], span[^SHA256.HashSizeInBytes..]);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Reads and verifies a checkpoint (parameters and velocity finite); any problem throws
    /// <see cref="DataFormatException"/> naming the file.
    /// </summary>
    public static TrainingCheckpoint Read(string path)
    {
        RegularFile.Require(path);
        byte[] bytes;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > 16 + MaxJsonLength + 2 * TensorBytes + SHA256.HashSizeInBytes)
            {
                throw new DataFormatException(path, $"not a checkpoint: {length} bytes is larger than any checkpoint");
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataFormatException.FromCause(
                path, e is FileNotFoundException or DirectoryNotFoundException ? "missing" : "cannot read", e);
        }
        var span = bytes.AsSpan();
        if (span.Length < 16 || !span[..8].SequenceEqual(Magic))
        {
            throw new DataFormatException(path, "not a checkpoint (bad magic)");
        }
        var version = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
        if (version != FormatVersion)
        {
            throw new DataFormatException(
                path, $"checkpoint format version {version} is not supported (expected {FormatVersion})");
        }
        var jsonLength = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
        var expected = 16L + jsonLength + 2 * TensorBytes + SHA256.HashSizeInBytes;
        if (jsonLength > MaxJsonLength || span.Length != expected)
        {
            throw new DataFormatException(path, $"truncated or corrupt: {span.Length} bytes, expected {expected}");
        }
        if (!SHA256.HashData(span[..^SHA256.HashSizeInBytes]).AsSpan().SequenceEqual(span[^SHA256.HashSizeInBytes..]))
        {
            throw new DataFormatException(path, "corrupt: checksum mismatch");
        }
        TrainingCheckpoint? header;
        try
        {
            header = JsonSerializer.Deserialize<TrainingCheckpoint>(span.Slice(16, (int)jsonLength), Json);
        }
        catch (JsonException e)
        {
            throw DataFormatException.FromCause(path, "corrupt header", e);
        }
        if (header is null)
        {
            throw new DataFormatException(path, "corrupt header: empty");
        }
        var tensors = span.Slice(16 + (int)jsonLength, 2 * TensorBytes);
        var parameters = new float[ModelShape.ParameterCount];
        var velocity = new float[ModelShape.ParameterCount];
        LittleEndianFloats.FromBytes(tensors[..TensorBytes], parameters);
        LittleEndianFloats.FromBytes(tensors[TensorBytes..], velocity);
        FiniteTensors.Require(path, parameters);
        FiniteTensors.Require(path, velocity, "velocity of ");
        return header with { Parameters = parameters, Velocity = velocity };
    }
}
