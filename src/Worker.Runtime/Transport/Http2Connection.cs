using System.Buffers;
using System.Buffers.Binary;
using CnnDistributed.Protocol;
using CnnDistributed.Worker.Runtime.Transport.Hpack;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// One HTTP/2 connection, over TLS (ALPN h2) or without (prior knowledge, RFC 9113 §3.3), as much of HTTP/2 as a gRPC
/// client needs: requests with streamed bodies, responses with trailers, flow control in both directions, SETTINGS,
/// PING (answered, and sent as keep-alive), RST_STREAM and GOAWAY. What makes it worth having: a request body write
/// leaves in one gathered send (all its DATA frames at once), and the reader loop receives whole frames of up to
/// <see cref="MaxReceiveFrameBytes"/> (a weight set arrives as one frame) in few large reads. It distrusts its peer:
/// DATA beyond the windows it granted, windows above 2^31-1, header blocks or header lists above their limits and any
/// other protocol error end the connection with a GOAWAY naming the error (docs/protocol.md, "Limits").
/// </summary>
internal sealed class Http2Connection
{
    /// <summary>
    /// The largest frame this client accepts (SETTINGS_MAX_FRAME_SIZE): a weight set or gradient fits in one.
    /// </summary>
    public const int MaxReceiveFrameBytes = Http2Windows.MaxFrameBytes;

    /// <summary>The largest header block (a HEADERS frame and its CONTINUATION frames) this client accepts.</summary>
    public const int MaxHeaderBlockBytes = 64 * 1024;

    /// <summary>The largest decoded header list (names, values and 32 bytes a field, RFC 9113 §6.5.2).</summary>
    public const int MaxHeaderListBytes = 64 * 1024;

    private const int ReceiveBufferBytes = 2 * (MaxReceiveFrameBytes + Http2FrameHeader.Size);
    private const int MaxWindow = int.MaxValue;
    private const long GrantThreshold = Http2Windows.WindowBytes / 4;

    private readonly Http2Transport _transport;
    private readonly string _authority;
    private readonly string _scheme;
    private readonly TimeProvider _time;
    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<int, Http2Stream> _streams = [];
    private readonly HpackDecoder _decoder = new();
    private readonly ArrayBufferWriter<byte> _headerBlock = new();
    private readonly byte[] _receive = GC.AllocateUninitializedArray<byte>(ReceiveBufferBytes, pinned: true);
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource<Exception> _readEnded =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _start;
    private int _end;
    private int _nextStreamId = 1;
    private int _headerStreamId;
    private bool _headerEndStream;
    private long _sendWindow = Http2Frames.DefaultWindow;
    private long _peerInitialWindow = Http2Frames.DefaultWindow;
    private int _peerMaxFrame = 16_384;
    private long _readNotGranted;
    // What the peer may still send on the connection before this side grants more (it advertised WindowBytes).
    private long _receiveWindow = Http2Windows.WindowBytes;
    private int _lastStreamId;
    private TaskCompletionSource _creditChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _failure;
    private bool _goingAway;
    private bool _prefaceReceived;
    private long _pingsSent;
    private long _lastPingAcked;

    private Http2Connection(Http2Transport transport, Uri address, TimeProvider time)
    {
        _transport = transport;
        _authority = address.Authority;
        _scheme = address.Scheme;
        _time = time;
    }

    /// <summary>False once the connection failed or the peer sent GOAWAY: new requests need a new connection.</summary>
    public bool IsUsable
    {
        get
        {
            lock (_sync)
            {
                return _failure is null && !_goingAway;
            }
        }
    }

    /// <summary>
    /// Whether requests on this connection are still under way (a connection going away lets them finish).
    /// </summary>
    public bool HasOpenStreams
    {
        get
        {
            lock (_sync)
            {
                return _streams.Count > 0;
            }
        }
    }

    /// <summary>Connects to <paramref name="address"/>, over TLS when <paramref name="tls"/> is given.</summary>
    public static async Task<Http2Connection> ConnectAsync(
        Uri address,
        Http2Timeouts timeouts,
        ClientTls? tls,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var transport = await Http2Transport.ConnectAsync(address, timeouts, tls, cancellationToken);
        var connection = await OpenAsync(transport, address, time);
        if (timeouts.KeepAliveInterval != Timeout.InfiniteTimeSpan)
        {
            _ = connection.KeepAliveAsync(timeouts.KeepAliveInterval, timeouts.KeepAliveTimeout);
        }
        return connection;
    }

    /// <summary>
    /// Speaks HTTP/2 over <paramref name="transport"/>, already connected to <paramref name="address"/>: sends the
    /// client preface and starts reading the peer's frames.
    /// </summary>
    internal static async Task<Http2Connection> OpenAsync(Http2Transport transport, Uri address, TimeProvider time)
    {
        var connection = new Http2Connection(transport, address, time);
        await connection.SendControlAsync(Http2Frames.Preface(MaxReceiveFrameBytes, Http2Windows.WindowBytes));
        _ = connection.ReadLoopAsync();
        return connection;
    }

    /// <summary>
    /// The loop that reads the peer's frames: it never faults, and ends once the connection is closed with the
    /// exception that closed it, as thrown (a protocol error, the peer hanging up, or a bug in this reader).
    /// </summary>
    internal Task<Exception> Reading => _readEnded.Task;

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = RequestHeaders.Encode(request, _scheme, _authority);
        var content = request.Content;
        Http2Stream stream;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            int maxFrame;
            lock (_sync)
            {
                if (_failure is not null || _goingAway)
                {
                    throw new HttpRequestException(
                        HttpRequestError.ConnectionError,
                        _failure is null ? $"{_authority} is going away" : $"connection to {_authority} is closed",
                        _failure);
                }
                stream = new Http2Stream(_nextStreamId, request, _peerInitialWindow, Http2Windows.WindowBytes)
                {
                    LocalEnded = content is null,
                };
                _nextStreamId += 2;
                _goingAway |= _nextStreamId < 0;
                _streams.Add(stream.Id, stream);
                maxFrame = _peerMaxFrame;
            }
            await SendLockedAsync([Http2Frames.Headers(stream.Id, headers, endStream: content is null, maxFrame)]);
        }
        finally
        {
            _writeLock.Release();
        }
        if (content is not null)
        {
            _ = SendBodyAsync(stream, content, cancellationToken);
        }
        using var cancellation = cancellationToken.UnsafeRegister(
            state => Cancel((Http2Stream)state!, cancellationToken), stream);
        try
        {
            return await stream.Response.Task;
        }
        catch (IOException e)
        {
            throw new HttpRequestException(HttpRequestError.Unknown, e.Message, e);
        }
    }

    /// <summary>
    /// Sends <paramref name="data"/> as DATA frames, waiting for flow-control credit when the windows are spent.
    /// </summary>
    public async ValueTask SendDataAsync(
        Http2Stream stream,
        ReadOnlyMemory<byte> data,
        bool endStream,
        CancellationToken cancellationToken)
    {
        do
        {
            var count = data.IsEmpty ? 0 : await ReserveAsync(stream, data.Length, cancellationToken);
            var chunk = data[..count];
            data = data[count..];
            var last = endStream && data.IsEmpty;
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                int maxFrame;
                lock (_sync)
                {
                    ThrowIfClosed(stream);
                    stream.LocalEnded |= last;
                    maxFrame = _peerMaxFrame;
                }
                await SendLockedAsync(Http2Frames.Data(stream.Id, chunk, last, maxFrame));
            }
            finally
            {
                _writeLock.Release();
            }
        }
        while (!data.IsEmpty);
        if (endStream)
        {
            lock (_sync)
            {
                Forget(stream);
            }
        }
    }

    /// <summary>
    /// The caller read <paramref name="count"/> body bytes: return them to the peer's windows in large grants.
    /// </summary>
    public async ValueTask OnReadAsync(Http2Stream stream, int count)
    {
        long streamGrant = 0;
        long connectionGrant = 0;
        lock (_sync)
        {
            stream.Buffered -= count;
            _readNotGranted += count;
            if (!stream.RemoteEnded)
            {
                stream.ReadNotGranted += count;
                if (stream.ReadNotGranted >= GrantThreshold)
                {
                    (streamGrant, stream.ReadNotGranted) = (stream.ReadNotGranted, 0);
                    stream.ReceiveWindow += streamGrant;
                }
            }
            if (_readNotGranted >= GrantThreshold)
            {
                (connectionGrant, _readNotGranted) = (_readNotGranted, 0);
                _receiveWindow += connectionGrant;
            }
        }
        if (streamGrant > 0 || connectionGrant > 0)
        {
            await SendControlAsync(Http2Frames.WindowUpdates(stream.Id, streamGrant, connectionGrant));
        }
    }

    /// <summary>
    /// The caller is done with the response: reset the stream if it is still open, and give back its credit.
    /// </summary>
    public void Release(Http2Stream stream)
    {
        bool reset;
        lock (_sync)
        {
            _readNotGranted += stream.Buffered;
            stream.Buffered = 0;
            reset = !stream.Finished;
            stream.Close(new IOException($"stream {stream.Id} was released before it ended"));
            Forget(stream);
        }
        if (reset)
        {
            _ = SendResetAsync(stream.Id, Http2ErrorCode.Cancel);
        }
    }

    private Exception? Failure
    {
        get
        {
            lock (_sync)
            {
                return _failure;
            }
        }
    }

    /// <summary>Closes the connection: every open stream fails with <paramref name="error"/>.</summary>
    public void Abort(Exception error)
    {
        lock (_sync)
        {
            if (_failure is not null)
            {
                return;
            }
            _failure = error;
            foreach (var stream in _streams.Values)
            {
                stream.Close(error);
            }
            _streams.Clear();
            SignalCredit();
        }
        _closed.Cancel();
        _transport.Dispose();
    }

    private async Task SendBodyAsync(Http2Stream stream, HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            await content.CopyToAsync(new Http2RequestStream(stream, this), cancellationToken);
            await SendDataAsync(stream, ReadOnlyMemory<byte>.Empty, endStream: true, cancellationToken);
        }
        catch (Exception e)
        {
            bool reset;
            lock (_sync)
            {
                reset = !stream.Finished;
                stream.Close(e);
                Forget(stream);
            }
            if (reset)
            {
                await SendResetAsync(stream.Id, Http2ErrorCode.Cancel);
            }
        }
    }

    private void Cancel(Http2Stream stream, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (stream.Finished)
            {
                return;
            }
            stream.Close(new OperationCanceledException(cancellationToken));
            Forget(stream);
        }
        _ = SendResetAsync(stream.Id, Http2ErrorCode.Cancel);
    }

    private async ValueTask<int> ReserveAsync(Http2Stream stream, int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_sync)
            {
                ThrowIfClosed(stream);
                var available = Math.Min(_sendWindow, stream.SendWindow);
                if (available > 0)
                {
                    var count = (int)Math.Min(available, wanted);
                    _sendWindow -= count;
                    stream.SendWindow -= count;
                    return count;
                }
                changed = _creditChanged.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    private void ThrowIfClosed(Http2Stream stream)
    {
        if (_failure is not null)
        {
            throw new IOException($"connection to {_authority} is closed: {_failure.Message}", _failure);
        }
        if (stream.Closed)
        {
            throw new IOException($"stream {stream.Id} to {_authority} is closed");
        }
    }

    private void Forget(Http2Stream stream)
    {
        if (stream.Finished)
        {
            _streams.Remove(stream.Id);
            CloseIfDrained();
        }
    }

    /// <summary>
    /// A connection the peer is closing is closed by this side once its last stream ends (the peer waits for that).
    /// </summary>
    private void CloseIfDrained()
    {
        if (_goingAway && _streams.Count == 0 && _failure is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                connection => connection.Abort(new IOException($"{connection._authority} went away")),
                this,
                preferLocal: false);
        }
    }

    private void SignalCredit()
    {
        var changed = _creditChanged;
        _creditChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    private async Task SendResetAsync(int streamId, Http2ErrorCode errorCode)
    {
        try
        {
            await SendControlAsync(Http2Frames.RstStream(streamId, (uint)errorCode));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Tells the peer why this side closes the connection; it may be gone already.</summary>
    private async Task GoAwayAsync(Http2ErrorCode code)
    {
        try
        {
            await SendControlAsync(Http2Frames.GoAway(Volatile.Read(ref _lastStreamId), (uint)code));
        }
        catch (IOException)
        {
        }
    }

    private async ValueTask SendControlAsync(byte[] frames)
    {
        await _writeLock.WaitAsync();
        try
        {
            await SendLockedAsync([frames]);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask SendLockedAsync(IList<ArraySegment<byte>> segments)
    {
        lock (_sync)
        {
            if (_failure is not null)
            {
                throw new IOException($"connection to {_authority} is closed: {_failure.Message}", _failure);
            }
        }
        try
        {
            await _transport.SendAsync(segments);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException or IOException)
        {
            var error = new IOException($"connection to {_authority} broke: {e.Message}", e);
            Abort(error);
            throw error;
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception closedBy;
        try
        {
            while (true)
            {
                await FillAsync(Http2FrameHeader.Size);
                var header = Http2FrameHeader.Read(_receive.AsSpan(_start));
                if (!_prefaceReceived
                    && (header.Type != Http2FrameType.Settings || header.Has(Http2FrameHeader.EndStreamOrAck)))
                {
                    throw new Http2ProtocolException(
                        $"{_authority} does not speak HTTP/2 by prior knowledge: its first bytes are not a SETTINGS "
                        + "frame (an HTTP/1.1 server, or one that wants TLS: give --tls DIR and an https:// URL?)");
                }
                _prefaceReceived = true;
                if (header.Length > MaxReceiveFrameBytes)
                {
                    throw new Http2ProtocolException(
                        $"a {header.Length}-byte frame is larger than the {MaxReceiveFrameBytes} bytes "
                        + "this client accepts",
                        Http2ErrorCode.FrameSizeError);
                }
                await FillAsync(Http2FrameHeader.Size + header.Length);
                var reply = OnFrame(header, _receive.AsSpan(_start + Http2FrameHeader.Size, header.Length));
                _start += Http2FrameHeader.Size + header.Length;
                if (reply is not null)
                {
                    await SendControlAsync(reply);
                }
            }
        }
        catch (Http2ProtocolException e)
        {
            closedBy = e;
            await GoAwayAsync(e.ErrorCode);
            Abort(e);
        }
        catch (InvalidDataException e)
        {
            closedBy = e;
            await GoAwayAsync(Http2ErrorCode.CompressionError);
            Abort(new Http2ProtocolException(e.Message, Http2ErrorCode.CompressionError));
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException
            or OperationCanceledException)
        {
            // Closed under the reader by another path (a drained GOAWAY, a failed send, the handler): its reason
            // closed the connection, not the receive it cut short.
            closedBy = Failure ?? e;
            Abort(new IOException($"connection to {_authority} broke: {e.Message}", e));
        }
        catch (IOException e)
        {
            closedBy = e;
            Abort(e);
        }
        catch (Exception e)
        {
            closedBy = e;
            Abort(new IOException($"connection to {_authority} failed: {e.Message}", e));
        }
        _readEnded.SetResult(closedBy);
    }

    /// <summary>
    /// Receives until at least <paramref name="needed"/> unread bytes are buffered, moving them to the front when the
    /// tail is too short.
    /// </summary>
    private async ValueTask FillAsync(int needed)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        while (_end - _start < needed)
        {
            if (_receive.Length - _start < needed)
            {
                Buffer.BlockCopy(_receive, _start, _receive, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var received = await _transport.ReceiveAsync(_receive.AsMemory(_end), _closed.Token);
            if (received == 0)
            {
                throw new IOException($"{_authority} closed the connection");
            }
            _end += received;
        }
    }

    /// <summary>Applies one received frame; returns the control frames to send in reply, if any.</summary>
    private byte[]? OnFrame(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (_headerStreamId != 0 && header.Type != Http2FrameType.Continuation)
        {
            throw new Http2ProtocolException(
                $"{header.Type} frame inside the header block of stream {_headerStreamId}");
        }
        return header.Type switch
        {
            Http2FrameType.Data => OnData(header, payload),
            Http2FrameType.Headers => OnHeaders(header, payload),
            Http2FrameType.Continuation => OnContinuation(header, payload),
            Http2FrameType.RstStream => OnReset(header, payload),
            Http2FrameType.Settings => OnSettings(header, payload),
            Http2FrameType.Ping => OnPing(header, payload),
            Http2FrameType.GoAway => OnGoAway(header, payload),
            Http2FrameType.WindowUpdate => OnWindowUpdate(header, payload),
            Http2FrameType.PushPromise =>
                throw new Http2ProtocolException("PUSH_PROMISE although this client disabled push"),
            _ => null,
        };
    }

    private byte[]? OnData(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        RequireStream(header);
        var data = payload[header.Unpadded(payload)];
        lock (_sync)
        {
            _receiveWindow -= payload.Length;
            if (_receiveWindow < 0)
            {
                throw new Http2ProtocolException(
                    $"DATA beyond the connection window this client granted ({-_receiveWindow} bytes over)",
                    Http2ErrorCode.FlowControlError);
            }
            if (_streams.TryGetValue(header.StreamId, out var open))
            {
                open.ReceiveWindow -= payload.Length;
                if (open.ReceiveWindow < 0)
                {
                    throw new Http2ProtocolException(
                        $"DATA beyond the window of stream {header.StreamId} ({-open.ReceiveWindow} bytes over)",
                        Http2ErrorCode.FlowControlError);
                }
            }
            _readNotGranted += payload.Length - data.Length;
            if (_streams.TryGetValue(header.StreamId, out var stream) && !stream.Closed && !stream.RemoteEnded)
            {
                stream.OnData(data, header.Has(Http2FrameHeader.EndStreamOrAck));
                Forget(stream);
            }
            else
            {
                _readNotGranted += data.Length;
            }
            if (_readNotGranted < GrantThreshold)
            {
                return null;
            }
            var grant = _readNotGranted;
            _readNotGranted = 0;
            _receiveWindow += grant;
            return Http2Frames.WindowUpdates(header.StreamId, 0, grant);
        }
    }

    private byte[]? OnHeaders(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        RequireStream(header);
        var block = payload[header.Unpadded(payload)];
        if (header.Has(Http2FrameHeader.Priority))
        {
            block = block.Length >= 5
                ? block[5..]
                : throw new Http2ProtocolException("HEADERS frame too short for its priority");
        }
        var endStream = header.Has(Http2FrameHeader.EndStreamOrAck);
        if (header.Has(Http2FrameHeader.EndHeaders))
        {
            OnHeaderBlock(header.StreamId, block, endStream);
            return null;
        }
        _headerBlock.ResetWrittenCount();
        AppendHeaderBlock(block);
        (_headerStreamId, _headerEndStream) = (header.StreamId, endStream);
        return null;
    }

    private byte[]? OnContinuation(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != _headerStreamId || _headerStreamId == 0)
        {
            throw new Http2ProtocolException(
                $"CONTINUATION on stream {header.StreamId} without an open header block there");
        }
        AppendHeaderBlock(payload);
        if (header.Has(Http2FrameHeader.EndHeaders))
        {
            OnHeaderBlock(_headerStreamId, _headerBlock.WrittenSpan, _headerEndStream);
            _headerStreamId = 0;
        }
        return null;
    }

    private void AppendHeaderBlock(ReadOnlySpan<byte> fragment)
    {
        if (_headerBlock.WrittenCount + fragment.Length > MaxHeaderBlockBytes)
        {
            throw new Http2ProtocolException(
                $"a header block of more than {MaxHeaderBlockBytes} bytes on stream {_headerStreamId}");
        }
        _headerBlock.Write(fragment);
    }

    /// <summary>
    /// Decodes a complete header block (always, to keep the HPACK table in step) and hands it to its stream.
    /// </summary>
    private void OnHeaderBlock(int streamId, ReadOnlySpan<byte> block, bool endStream)
    {
        if (block.Length > MaxHeaderBlockBytes)
        {
            throw new Http2ProtocolException($"a header block of {block.Length} bytes on stream {streamId}");
        }
        var fields = new List<KeyValuePair<string, string>>();
        _decoder.Decode(block, fields);
        if (fields.Exists(field => field.Key.Length == 0))
        {
            throw new Http2ProtocolException($"a header field with an empty name on stream {streamId}");
        }
        var listBytes = fields.Sum(field => (long)field.Key.Length + field.Value.Length + 32);
        if (listBytes > MaxHeaderListBytes)
        {
            throw new Http2ProtocolException($"a header list of {listBytes} bytes on stream {streamId}");
        }
        Volatile.Write(ref _lastStreamId, Math.Max(_lastStreamId, streamId));
        lock (_sync)
        {
            if (_streams.TryGetValue(streamId, out var stream) && !stream.Closed)
            {
                stream.OnHeaders(fields, endStream, this);
                Forget(stream);
            }
        }
    }

    private byte[]? OnReset(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        RequireStream(header);
        if (payload.Length != 4)
        {
            throw new Http2ProtocolException($"RST_STREAM of {payload.Length} bytes");
        }
        var code = BinaryPrimitives.ReadUInt32BigEndian(payload);
        lock (_sync)
        {
            if (_streams.TryGetValue(header.StreamId, out var stream))
            {
                if (code == (uint)Http2ErrorCode.NoError && stream.RemoteEnded)
                {
                    stream.StopSending();
                }
                else
                {
                    stream.Close(new IOException($"{_authority} reset stream {header.StreamId} (HTTP/2 error {code})"));
                }
                Forget(stream);
                SignalCredit();
            }
        }
        return null;
    }

    private byte[]? OnSettings(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0 || payload.Length % 6 != 0)
        {
            throw new Http2ProtocolException($"SETTINGS of {payload.Length} bytes on stream {header.StreamId}");
        }
        if (header.Has(Http2FrameHeader.EndStreamOrAck))
        {
            return null;
        }
        lock (_sync)
        {
            for (var offset = 0; offset < payload.Length; offset += 6)
            {
                var id = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
                var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(offset + 2)..]);
                switch (id)
                {
                    case Http2Frames.InitialWindowSize when value > MaxWindow:
                        throw new Http2ProtocolException(
                            $"initial window size {value} above 2^31-1", Http2ErrorCode.FlowControlError);
                    case Http2Frames.InitialWindowSize:
                        var delta = value - _peerInitialWindow;
                        foreach (var stream in _streams.Values)
                        {
                            stream.SendWindow += delta;
                            if (stream.SendWindow > MaxWindow)
                            {
                                throw new Http2ProtocolException(
                                    $"window of stream {stream.Id} above 2^31-1", Http2ErrorCode.FlowControlError);
                            }
                        }
                        _peerInitialWindow = value;
                        break;
                    case Http2Frames.MaxFrameSize when value is < 16_384 or > 16_777_215:
                        throw new Http2ProtocolException(
                            $"max frame size {value} outside 16,384..16,777,215");
                    case Http2Frames.MaxFrameSize:
                        _peerMaxFrame = (int)value;
                        break;
                }
            }
            SignalCredit();
        }
        return Http2Frames.SettingsAck();
    }

    private byte[]? OnPing(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0 || payload.Length != 8)
        {
            throw new Http2ProtocolException($"PING of {payload.Length} bytes on stream {header.StreamId}");
        }
        if (!header.Has(Http2FrameHeader.EndStreamOrAck))
        {
            return Http2Frames.PingAck(payload);
        }
        Interlocked.Exchange(ref _lastPingAcked, BinaryPrimitives.ReadInt64BigEndian(payload));
        return null;
    }

    private byte[]? OnGoAway(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0 || payload.Length < 8)
        {
            throw new Http2ProtocolException($"GOAWAY of {payload.Length} bytes on stream {header.StreamId}");
        }
        var lastStreamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFF);
        var code = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        lock (_sync)
        {
            _goingAway = true;
            foreach (var stream in _streams.Values.Where(stream => stream.Id > lastStreamId).ToList())
            {
                stream.Close(new IOException(
                    $"{_authority} is going away (HTTP/2 error {code}) before stream {stream.Id} was processed"));
                _streams.Remove(stream.Id);
            }
            CloseIfDrained();
            SignalCredit();
        }
        return null;
    }

    private byte[]? OnWindowUpdate(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.Length != 4)
        {
            throw new Http2ProtocolException($"WINDOW_UPDATE of {payload.Length} bytes");
        }
        var increment = BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFF;
        if (increment == 0)
        {
            throw new Http2ProtocolException($"WINDOW_UPDATE of 0 on stream {header.StreamId}");
        }
        lock (_sync)
        {
            if (header.StreamId == 0)
            {
                _sendWindow += increment;
                if (_sendWindow > MaxWindow)
                {
                    throw new Http2ProtocolException("connection window above 2^31-1", Http2ErrorCode.FlowControlError);
                }
            }
            else if (_streams.TryGetValue(header.StreamId, out var stream))
            {
                stream.SendWindow += increment;
                if (stream.SendWindow > MaxWindow)
                {
                    throw new Http2ProtocolException(
                        $"window of stream {stream.Id} above 2^31-1", Http2ErrorCode.FlowControlError);
                }
            }
            SignalCredit();
        }
        return null;
    }

    private async Task KeepAliveAsync(TimeSpan interval, TimeSpan timeout)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, _closed.Token);
                var ping = ++_pingsSent;
                await SendControlAsync(Http2Frames.Ping(ping));
                await Task.Delay(timeout, _time, _closed.Token);
                if (Interlocked.Read(ref _lastPingAcked) < ping)
                {
                    Abort(new IOException(
                        $"{_authority} did not answer a keep-alive ping within {timeout.TotalSeconds:0.#} s"));
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }

    private static void RequireStream(Http2FrameHeader header)
    {
        if (header.StreamId == 0)
        {
            throw new Http2ProtocolException($"{header.Type} frame on stream 0");
        }
    }
}
