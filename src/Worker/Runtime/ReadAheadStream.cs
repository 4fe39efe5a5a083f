using System.Net.Sockets;

namespace CnnDistributed.Worker.Runtime;

/// <summary>
/// A connection stream that receives in large chunks. The HTTP/2 client reads one 16 KiB frame at a time, so without
/// this a 138,488-byte weight set costs nine receive system calls; here one call takes whatever the socket holds (up to
/// <see cref="BufferBytes"/>) and later reads are served from memory. Writes go straight to the socket. One reader and
/// one writer may use it at the same time (the HTTP/2 connection does); reads must not overlap each other.
/// </summary>
public sealed class ReadAheadStream(Socket socket) : Stream
{
    public const int BufferBytes = 256 * 1024;

    private readonly NetworkStream _inner = new(socket, ownsSocket: true);
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferBytes, pinned: true);
    private int _start;
    private int _end;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_start == _end)
        {
            if (destination.Length >= BufferBytes)
            {
                return await _inner.ReadAsync(destination, cancellationToken);
            }
            _start = 0;
            _end = await _inner.ReadAsync(_buffer, cancellationToken);
        }
        var count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination.Span);
        _start += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(source, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
