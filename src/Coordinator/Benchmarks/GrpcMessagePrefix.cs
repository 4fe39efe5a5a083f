using System.Buffers.Binary;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// The 5 bytes in front of every gRPC message on an HTTP/2 stream: a compressed flag (0: not compressed) and the
/// message's length, big-endian. Simulated workers write and read them without grpc-dotnet.
/// </summary>
internal static class GrpcMessagePrefix
{
    public const int Size = 5;

    public static void Write(Span<byte> destination, int messageLength)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteInt32BigEndian(destination[1..], messageLength);
    }

    /// <summary>The length of the message that <paramref name="prefixed"/> starts with (its first <see cref="Size"/> bytes).</summary>
    public static int MessageLength(ReadOnlySpan<byte> prefixed) => BinaryPrimitives.ReadInt32BigEndian(prefixed[1..]);
}
