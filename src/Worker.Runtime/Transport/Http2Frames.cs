using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// Builds the frames <see cref="Http2Connection"/> sends, as byte arrays ready for one gathered send each.
/// </summary>
public static class Http2Frames
{
    public const ushort EnablePush = 2;
    public const ushort InitialWindowSize = 4;
    public const ushort MaxFrameSize = 5;

    /// <summary>The flow-control window every stream and connection starts with (RFC 9113 §6.9.2).</summary>
    public const int DefaultWindow = 65_535;

    /// <summary>
    /// The client connection preface: the magic string, our SETTINGS (no push, stream windows of
    /// <paramref name="windowBytes"/>, frames up to <paramref name="maxFrameSize"/>), and a WINDOW_UPDATE that raises
    /// the connection window from the protocol's 65,535 bytes to <paramref name="windowBytes"/> too.
    /// </summary>
    public static byte[] Preface(int maxFrameSize, int windowBytes)
    {
        var magic = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;
        var frame = new byte[magic.Length + Http2FrameHeader.Size + 3 * 6 + Http2FrameHeader.Size + 4];
        magic.CopyTo(frame);
        var settings = frame.AsSpan(magic.Length);
        new Http2FrameHeader(3 * 6, Http2FrameType.Settings, 0, 0).Write(settings);
        WriteSetting(settings[9..], EnablePush, 0);
        WriteSetting(settings[15..], InitialWindowSize, (uint)windowBytes);
        WriteSetting(settings[21..], MaxFrameSize, (uint)maxFrameSize);
        var update = settings[27..];
        new Http2FrameHeader(4, Http2FrameType.WindowUpdate, 0, 0).Write(update);
        BinaryPrimitives.WriteUInt32BigEndian(update[9..], (uint)(windowBytes - DefaultWindow));
        return frame;
    }

    /// <summary>
    /// A header block as one HEADERS frame, followed by CONTINUATION frames when it exceeds
    /// <paramref name="maxFrame"/>.
    /// </summary>
    public static byte[] Headers(int streamId, ReadOnlySpan<byte> block, bool endStream, int maxFrame)
    {
        var frames = Math.Max(1, (block.Length + maxFrame - 1) / maxFrame);
        var output = new byte[frames * Http2FrameHeader.Size + block.Length];
        var position = 0;
        for (var frame = 0; frame < frames; frame++)
        {
            var chunk = block.Slice(frame * maxFrame, Math.Min(maxFrame, block.Length - frame * maxFrame));
            var flags = (byte)((frame == frames - 1 ? Http2FrameHeader.EndHeaders : 0)
                | (frame == 0 && endStream ? Http2FrameHeader.EndStreamOrAck : 0));
            var type = frame == 0 ? Http2FrameType.Headers : Http2FrameType.Continuation;
            new Http2FrameHeader(chunk.Length, type, flags, streamId).Write(output.AsSpan(position));
            chunk.CopyTo(output.AsSpan(position + Http2FrameHeader.Size));
            position += Http2FrameHeader.Size + chunk.Length;
        }
        return output;
    }

    /// <summary>
    /// DATA frames of at most <paramref name="maxFrame"/> bytes for <paramref name="data"/>, as alternating header and
    /// payload segments: the payload is not copied when it lives in an array.
    /// </summary>
    public static List<ArraySegment<byte>> Data(int streamId, ReadOnlyMemory<byte> data, bool endStream, int maxFrame)
    {
        var payload = MemoryMarshal.TryGetArray(data, out var segment)
            ? segment
            : new ArraySegment<byte>(data.ToArray());
        var frames = Math.Max(1, (data.Length + maxFrame - 1) / maxFrame);
        var headers = new byte[frames * Http2FrameHeader.Size];
        var segments = new List<ArraySegment<byte>>(2 * frames);
        for (var frame = 0; frame < frames; frame++)
        {
            var offset = frame * maxFrame;
            var length = Math.Min(maxFrame, data.Length - offset);
            var flags = frame == frames - 1 && endStream ? Http2FrameHeader.EndStreamOrAck : (byte)0;
            var header = new ArraySegment<byte>(headers, frame * Http2FrameHeader.Size, Http2FrameHeader.Size);
            new Http2FrameHeader(length, Http2FrameType.Data, flags, streamId).Write(header);
            segments.Add(header);
            if (length > 0)
            {
                segments.Add(payload.Slice(offset, length));
            }
        }
        return segments;
    }

    /// <summary>WINDOW_UPDATE frames for the stream and the connection; a zero grant is left out.</summary>
    public static byte[] WindowUpdates(int streamId, long streamGrant, long connectionGrant)
    {
        var frames = (streamGrant > 0 ? 1 : 0) + (connectionGrant > 0 ? 1 : 0);
        var output = new byte[frames * (Http2FrameHeader.Size + 4)];
        var position = 0;
        foreach (var (id, grant) in new[] { (streamId, streamGrant), (0, connectionGrant) })
        {
            if (grant > 0)
            {
                new Http2FrameHeader(4, Http2FrameType.WindowUpdate, 0, id).Write(output.AsSpan(position));
                BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(position + Http2FrameHeader.Size), (uint)grant);
                position += Http2FrameHeader.Size + 4;
            }
        }
        return output;
    }

    public static byte[] RstStream(int streamId, uint errorCode)
    {
        var output = new byte[Http2FrameHeader.Size + 4];
        new Http2FrameHeader(4, Http2FrameType.RstStream, 0, streamId).Write(output);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(Http2FrameHeader.Size), errorCode);
        return output;
    }

    /// <summary>GOAWAY: the last stream this side processed and why it closes the connection.</summary>
    public static byte[] GoAway(int lastStreamId, uint errorCode)
    {
        var output = new byte[Http2FrameHeader.Size + 8];
        new Http2FrameHeader(8, Http2FrameType.GoAway, 0, 0).Write(output);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(Http2FrameHeader.Size), (uint)lastStreamId & 0x7FFF_FFFF);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(Http2FrameHeader.Size + 4), errorCode);
        return output;
    }

    public static byte[] SettingsAck()
    {
        var output = new byte[Http2FrameHeader.Size];
        new Http2FrameHeader(0, Http2FrameType.Settings, Http2FrameHeader.EndStreamOrAck, 0).Write(output);
        return output;
    }

    public static byte[] Ping(long payload)
    {
        var output = new byte[Http2FrameHeader.Size + 8];
        new Http2FrameHeader(8, Http2FrameType.Ping, 0, 0).Write(output);
        BinaryPrimitives.WriteInt64BigEndian(output.AsSpan(Http2FrameHeader.Size), payload);
        return output;
    }

    public static byte[] PingAck(ReadOnlySpan<byte> payload)
    {
        var output = new byte[Http2FrameHeader.Size + 8];
        new Http2FrameHeader(8, Http2FrameType.Ping, Http2FrameHeader.EndStreamOrAck, 0).Write(output);
        payload.CopyTo(output.AsSpan(Http2FrameHeader.Size));
        return output;
    }

    private static void WriteSetting(Span<byte> destination, ushort id, uint value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, id);
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], value);
    }
}
