using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Runtime.ExceptionServices;
using CnnDistributed.Worker.Runtime.Transport;
using CnnDistributed.Worker.Runtime.Transport.Hpack;

namespace CnnDistributed.Fuzz;

/// <summary>
/// The frame reader of the worker's HTTP/2 client: the input is what the coordinator sends on a connection with one
/// gRPC request open. The read loop closes the connection with <see cref="Http2ProtocolException"/>, with
/// <see cref="InvalidDataException"/> for a header block that does not decode, or with <see cref="IOException"/> when
/// the input ends; anything else that closed it is a bug. The response, if one arrived, is read to its end.
/// </summary>
internal sealed class Http2FramesTarget : IFuzzTarget
{
    private static readonly Uri Address = new("http://coordinator:5000/cnnd.v1.Training/Work");

    public string Name => "http2-frames";

    public void Run(byte[] input)
    {
        var transport = new FuzzTransport(input);
        var connection = Http2Connection.OpenAsync(transport, Address, TimeProvider.System).GetAwaiter().GetResult();
        using var request = new HttpRequestMessage(HttpMethod.Post, Address)
        {
            Version = HttpVersion.Version20,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        var response = connection.SendAsync(request, CancellationToken.None);
        transport.Deliver();
        var closedBy = connection.Reading.GetAwaiter().GetResult();
        if (closedBy is not (Http2ProtocolException or InvalidDataException or IOException))
        {
            ExceptionDispatchInfo.Throw(closedBy);
        }
        try
        {
            using var message = response.GetAwaiter().GetResult();
            message.Content.CopyToAsync(Stream.Null).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
        }
    }

    public IReadOnlyDictionary<string, byte[]> Seeds()
    {
        var responseHeaders = Block((":status", "200"), ("content-type", "application/grpc"));
        var trailers = Block(("grpc-status", "0"), ("grpc-message", "ok"));
        byte[] grpcMessage = [0, 0, 0, 0, 3, 8, 1, 16];
        return new Dictionary<string, byte[]>
        {
            ["response"] = Concat(
                Settings((Http2Frames.MaxFrameSize, 16_384), (Http2Frames.InitialWindowSize, 65_535)),
                Http2Frames.SettingsAck(),
                Http2Frames.Headers(1, responseHeaders, endStream: false, 16_384),
                Data(grpcMessage, endStream: false),
                Http2Frames.Headers(1, trailers, endStream: true, 16_384)),
            ["continuation"] = Concat(
                Settings(),
                Http2Frames.Headers(1, responseHeaders, endStream: false, 8),
                Padded(grpcMessage, padding: 4),
                Http2Frames.Headers(1, trailers, endStream: true, 8)),
            ["control"] = Concat(
                Settings((Http2Frames.InitialWindowSize, 1 << 20)),
                Http2Frames.Ping(7),
                Http2Frames.WindowUpdates(1, 1000, 2000),
                Http2Frames.RstStream(1, 8),
                Http2Frames.GoAway(1, 0)),
        };
    }

    private static byte[] Block(params (string Name, string Value)[] fields)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (name, value) in fields)
        {
            HpackEncoder.WriteLiteral(name, value, output);
        }
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Settings(params (ushort Id, uint Value)[] settings)
    {
        var frame = new byte[Http2FrameHeader.Size + 6 * settings.Length];
        new Http2FrameHeader(6 * settings.Length, Http2FrameType.Settings, 0, 0).Write(frame);
        for (var i = 0; i < settings.Length; i++)
        {
            var entry = frame.AsSpan(Http2FrameHeader.Size + 6 * i);
            BinaryPrimitives.WriteUInt16BigEndian(entry, settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(entry[2..], settings[i].Value);
        }
        return frame;
    }

    private static byte[] Data(byte[] payload, bool endStream) =>
        Concat([.. Http2Frames.Data(1, payload, endStream, 16_384).Select(segment => segment.ToArray())]);

    private static byte[] Padded(byte[] payload, byte padding)
    {
        var frame = new byte[Http2FrameHeader.Size + 1 + payload.Length + padding];
        new Http2FrameHeader(frame.Length - Http2FrameHeader.Size, Http2FrameType.Data, Http2FrameHeader.Padded, 1)
            .Write(frame);
        frame[Http2FrameHeader.Size] = padding;
        payload.CopyTo(frame, Http2FrameHeader.Size + 1);
        return frame;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(part => part)];
}
