namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// A socket stream under TLS that keeps the system calls as few as without TLS: <see
/// cref="System.Net.Security.SslStream"/>
/// writes each record of at most 16 KiB separately, so writes are gathered here and leave in one send when the stream
/// is flushed (once <see cref="Coalesce"/> is set: the TLS handshake writes without flushing); reads take whatever has
/// arrived, up to a large buffer, and hand it out record by record. One reader and one writer may use it at the same
/// time: they share no state.
/// </summary>
internal sealed class CoalescingStream(Stream inner) : Stream
{
    private const int ReadBufferBytes = 256 * 1024;

    private readonly byte[] _read = GC.AllocateUninitializedArray<byte>(ReadBufferBytes);
    private byte[] _write = GC.AllocateUninitializedArray<byte>(64 * 1024);
    private int _readStart;
    private int _readEnd;
    private int _written;

    /// <summary>
    /// Whether writes wait for a flush; off (every write goes out at once) until the handshake is done.
    /// </summary>
    public bool Coalesce { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_readStart == _readEnd)
        {
            _readStart = 0;
            _readEnd = await inner.ReadAsync(_read, cancellationToken);
        }
        var count = Math.Min(buffer.Length, _readEnd - _readStart);
        _read.AsSpan(_readStart, count).CopyTo(buffer.Span);
        _readStart += count;
        return count;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Coalesce)
        {
            return inner.WriteAsync(buffer, cancellationToken);
        }
        if (_write.Length - _written < buffer.Length)
        {
            Array.Resize(ref _write, Math.Max(2 * _write.Length, _written + buffer.Length));
        }
        buffer.Span.CopyTo(_write.AsSpan(_written));
        _written += buffer.Length;
        return ValueTask.CompletedTask;
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_written > 0)
        {
            var count = _written;
            _written = 0;
            await inner.WriteAsync(_write.AsMemory(0, count), cancellationToken);
        }
        await inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
