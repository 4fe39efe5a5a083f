using System.Buffers.Binary;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>The frame types of HTTP/2 (RFC 9113 §6) that <see cref="Http2Connection"/> reads or writes.</summary>
public enum Http2FrameType : byte
{
    Data = 0,
    Headers = 1,
    Priority = 2,
    RstStream = 3,
    Settings = 4,
    PushPromise = 5,
    Ping = 6,
    GoAway = 7,
    WindowUpdate = 8,
    Continuation = 9,
}

/// <summary>
/// The 9-byte header in front of every HTTP/2 frame (RFC 9113 §4.1): payload length, type, flags, stream.
/// </summary>
public readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, byte Flags, int StreamId)
{
    public const int Size = 9;

    /// <summary>END_STREAM on DATA and HEADERS; ACK on SETTINGS and PING.</summary>
    public const byte EndStreamOrAck = 0x1;
    public const byte EndHeaders = 0x4;
    public const byte Padded = 0x8;
    public const byte Priority = 0x20;

    public bool Has(byte flag) => (Flags & flag) != 0;

    /// <summary>
    /// Where the content of this DATA or HEADERS frame's <paramref name="payload"/> lies: all of it, or with PADDED
    /// set, what is left between the pad-length byte and the padding (RFC 9113 §6.1).
    /// </summary>
    public Range Unpadded(ReadOnlySpan<byte> payload)
    {
        if (!Has(Padded))
        {
            return Range.All;
        }
        if (payload.IsEmpty || payload[0] >= payload.Length)
        {
            throw new Http2ProtocolException($"{Type} frame on stream {StreamId} with more padding than payload");
        }
        return 1..^payload[0];
    }

    public static Http2FrameHeader Read(ReadOnlySpan<byte> source) => new(
        source[0] << 16 | source[1] << 8 | source[2],
        (Http2FrameType)source[3],
        source[4],
        (int)(BinaryPrimitives.ReadUInt32BigEndian(source[5..]) & 0x7FFF_FFFF));

    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)StreamId);
    }
}
