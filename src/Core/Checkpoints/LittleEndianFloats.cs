using System.Buffers.Binary;

namespace CnnDistributed.Core.Checkpoints;

/// <summary>Float32 vectors as little-endian bytes, whatever the machine's byte order.</summary>
internal static class LittleEndianFloats
{
    public static byte[] ToBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }
        return bytes;
    }

    public static void FromBytes(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        if (bytes.Length != values.Length * sizeof(float))
        {
            throw new ArgumentException(
                $"{values.Length} floats need {values.Length * sizeof(float)} bytes, got {bytes.Length}");
        }
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }
    }
}
