using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Worker.Runtime;
using CnnDistributed.Worker.Transport;
using CnnDistributed.Worker.Transport.Hpack;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// A simulated worker's <c>Work</c> call as the coordinator sees any worker's (HTTP/2 on a TCP connection, one request
/// stream, gRPC messages both ways), driven by a thread of its own with blocking socket calls: it reads whole frames
/// into one buffer, parses each assignment where it lies and answers with a message that leaves in one gathered send.
/// A worker's real client hands every message across the thread pool and copies it twice on the way to its parser;
/// 32 such peers in the coordinator's process took about 40 % of the machine's CPU, which the capacity bench then
/// counted against the coordinator. This peer costs only the kernel's copies and one thread wake-up per message.
/// </summary>
internal sealed class SimulatedWorkStream
{
    private const int StreamId = 1;
    // SETTINGS_MAX_FRAME_SIZE until the coordinator's SETTINGS say otherwise (RFC 9113 §6.5.2).
    private const int DefaultMaxFrame = 16 * 1024;
    // Receive credit is returned to the coordinator in grants of this size (of the 4 MiB windows it starts with).
    private const int GrantBytes = 1024 * 1024;

    private readonly Socket _socket;
    private readonly SimulatedResult _answer;
    private readonly byte[] _receive = GC.AllocateUninitializedArray<byte>(2 * (Http2Tuning.MaxFrameBytes + Http2FrameHeader.Size));
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _start, _end;
    // A gRPC message split across DATA frames is gathered here; one inside a frame is parsed in the receive buffer.
    private byte[] _partial = [];
    private int _partialLength;
    private long _connectionSendWindow = Http2Frames.DefaultWindow, _streamSendWindow = Http2Frames.DefaultWindow;
    private long _peerInitialWindow = Http2Frames.DefaultWindow;
    private int _peerMaxFrame = DefaultMaxFrame;
    private long _ungranted;
    private bool _ended;

    private SimulatedWorkStream(Socket socket, int shardCount)
    {
        _socket = socket;
        _answer = new SimulatedResult(shardCount);
    }

    /// <summary>Completes when the coordinator has ended the call (after its shutdown message) or the connection failed.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Connects to <paramref name="coordinator"/>, opens the <c>Work</c> call as <paramref name="workerId"/> and answers on a new thread.</summary>
    /// <remarks>
    /// The socket is connected and used only synchronously, so it stays in blocking mode: its reads and writes are plain
    /// system calls. One asynchronous call would switch it to non-blocking mode for good, after which .NET emulates a
    /// blocking read: the socket engine's thread sees the data, queues a work item to the thread pool, and that wakes
    /// the reading thread, hand-offs this peer exists to avoid.
    /// </remarks>
    public static SimulatedWorkStream Start(Uri coordinator, string workerId, int shardCount, string name, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Parse(coordinator.Host), coordinator.Port));
        var stream = new SimulatedWorkStream(socket, shardCount);
        stream.Send(Http2Frames.Preface(Http2Tuning.MaxFrameBytes, Http2Tuning.WindowBytes));
        stream.Send(Http2Frames.Headers(StreamId, RequestHeaders(coordinator, workerId), endStream: false, DefaultMaxFrame));
        var registration = cancellationToken.Register(socket.Dispose);
        new Thread(() =>
        {
            try
            {
                stream.Run();
                stream._finished.SetResult();
            }
            catch (Exception e)
            {
                stream._finished.SetException(e);
            }
            finally
            {
                registration.Dispose();
                socket.Dispose();
            }
        })
        { IsBackground = true, Name = $"{name} work stream" }.Start();
        return stream;
    }

    private static byte[] RequestHeaders(Uri coordinator, string workerId)
    {
        var block = new ArrayBufferWriter<byte>(256);
        HpackEncoder.WriteLiteral(":method", "POST", block);
        HpackEncoder.WriteLiteral(":scheme", "http", block);
        HpackEncoder.WriteLiteral(":authority", coordinator.Authority, block);
        HpackEncoder.WriteLiteral(":path", $"/{TrainingCoordinator.Descriptor.FullName}/Work", block);
        HpackEncoder.WriteLiteral("content-type", "application/grpc", block);
        HpackEncoder.WriteLiteral("te", "trailers", block);
        HpackEncoder.WriteLiteral(WorkerRuntime.WorkerIdHeader, workerId, block);
        return block.WrittenSpan.ToArray();
    }

    private void Run()
    {
        while (!_ended)
        {
            var (header, payload) = ReadFrame();
            OnFrame(header, payload);
        }
    }

    private void OnFrame(Http2FrameHeader header, ArraySegment<byte> payload)
    {
        switch (header.Type)
        {
            case Http2FrameType.Data when header.StreamId == StreamId:
                OnData(payload[header.Unpadded(payload)], header.Length);
                _ended |= header.Has(Http2FrameHeader.EndStreamOrAck);
                break;
            case Http2FrameType.Headers when header.StreamId == StreamId:
                _ended |= header.Has(Http2FrameHeader.EndStreamOrAck);
                break;
            case Http2FrameType.Settings when !header.Has(Http2FrameHeader.EndStreamOrAck):
                OnSettings(payload);
                Send(Http2Frames.SettingsAck());
                break;
            case Http2FrameType.Ping when !header.Has(Http2FrameHeader.EndStreamOrAck):
                Send(Http2Frames.PingAck(payload));
                break;
            case Http2FrameType.WindowUpdate:
                var increment = BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFF;
                if (header.StreamId == 0)
                {
                    _connectionSendWindow += increment;
                }
                else if (header.StreamId == StreamId)
                {
                    _streamSendWindow += increment;
                }
                break;
            case Http2FrameType.RstStream when header.StreamId == StreamId:
            case Http2FrameType.GoAway:
                throw new IOException($"the coordinator ended the simulated worker's call ({header.Type})");
        }
    }

    private void OnSettings(ReadOnlySpan<byte> settings)
    {
        for (; settings.Length >= 6; settings = settings[6..])
        {
            var value = BinaryPrimitives.ReadUInt32BigEndian(settings[2..]);
            switch (BinaryPrimitives.ReadUInt16BigEndian(settings))
            {
                case Http2Frames.InitialWindowSize:
                    // A change moves the open stream's window by the difference (RFC 9113 §6.9.2).
                    _streamSendWindow += value - _peerInitialWindow;
                    _peerInitialWindow = value;
                    break;
                case Http2Frames.MaxFrameSize:
                    _peerMaxFrame = (int)value;
                    break;
            }
        }
    }

    /// <summary>Splits the stream's bytes into gRPC messages (length-prefixed) and answers each; returns receive credit.</summary>
    private void OnData(ArraySegment<byte> data, int frameLength)
    {
        while (data.Count > 0)
        {
            if (_partialLength == 0 && data.Count >= GrpcMessagePrefix.Size)
            {
                var length = GrpcMessagePrefix.MessageLength(data);
                if (data.Count >= GrpcMessagePrefix.Size + length)
                {
                    Answer(data.AsMemory(GrpcMessagePrefix.Size, length));
                    data = data[(GrpcMessagePrefix.Size + length)..];
                    continue;
                }
            }
            var needed = GrpcMessagePrefix.Size + (_partialLength < GrpcMessagePrefix.Size ? 0 : GrpcMessagePrefix.MessageLength(_partial));
            var take = Math.Min(needed - _partialLength, data.Count);
            if (_partial.Length < needed)
            {
                Array.Resize(ref _partial, Math.Max(needed, 2 * _partial.Length));
            }
            data[..take].CopyTo(_partial, _partialLength);
            _partialLength += take;
            data = data[take..];
            if (_partialLength >= GrpcMessagePrefix.Size && _partialLength == GrpcMessagePrefix.Size + GrpcMessagePrefix.MessageLength(_partial))
            {
                _partialLength = 0;
                Answer(_partial.AsMemory(GrpcMessagePrefix.Size, GrpcMessagePrefix.MessageLength(_partial)));
            }
        }
        _ungranted += frameLength;
        if (_ungranted >= GrantBytes)
        {
            Send(Http2Frames.WindowUpdates(StreamId, _ungranted, _ungranted));
            _ungranted = 0;
        }
    }

    private void Answer(ReadOnlyMemory<byte> message)
    {
        var assignment = SimulatedAssignment.Parse(new ReadOnlySequence<byte>(message));
        if (ReferenceEquals(assignment, SimulatedAssignment.Shutdown))
        {
            _socket.Send(Http2Frames.Data(StreamId, ReadOnlyMemory<byte>.Empty, endStream: true, _peerMaxFrame));
            return;
        }
        var answer = _answer.MessageFor(assignment);
        while (Math.Min(_connectionSendWindow, _streamSendWindow) < answer.Length)
        {
            var (header, payload) = ReadFrame();
            if (header.Type == Http2FrameType.Data)
            {
                throw new InvalidDataException("the coordinator sent work before the previous answer could leave");
            }
            OnFrame(header, payload);
        }
        _socket.Send(Http2Frames.Data(StreamId, answer, endStream: false, _peerMaxFrame));
        _connectionSendWindow -= answer.Length;
        _streamSendWindow -= answer.Length;
    }

    private void Send(byte[] frame) => _socket.Send(frame);

    /// <summary>The next frame, whole and contiguous in the receive buffer; its payload is valid until the next read.</summary>
    private (Http2FrameHeader Header, ArraySegment<byte> Payload) ReadFrame()
    {
        Fill(Http2FrameHeader.Size);
        var header = Http2FrameHeader.Read(_receive.AsSpan(_start));
        if (header.Length > Http2Tuning.MaxFrameBytes)
        {
            throw new InvalidDataException($"a {header.Length}-byte frame is larger than the {Http2Tuning.MaxFrameBytes} bytes the simulated worker accepts");
        }
        Fill(Http2FrameHeader.Size + header.Length);
        var payload = new ArraySegment<byte>(_receive, _start + Http2FrameHeader.Size, header.Length);
        _start += Http2FrameHeader.Size + header.Length;
        return (header, payload);
    }

    private void Fill(int needed)
    {
        while (_end - _start < needed)
        {
            if (_receive.Length - _start < needed)
            {
                _receive.AsSpan(_start, _end - _start).CopyTo(_receive);
                (_start, _end) = (0, _end - _start);
            }
            var received = _socket.Receive(_receive.AsSpan(_end));
            if (received == 0)
            {
                throw new EndOfStreamException("the coordinator closed the simulated worker's connection");
            }
            _end += received;
        }
    }
}
