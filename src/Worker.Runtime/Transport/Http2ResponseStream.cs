using System.Buffers;
namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// The body of a response as the caller reads it: served from the stream's pipe, returning each read's bytes to the
/// peer's flow-control windows. Disposing it before the stream has ended resets the stream.
/// </summary>
internal sealed class Http2ResponseStream(Http2Stream stream, Http2Connection connection) : Stream
{
    private int _disposed;

    public override bool CanRead => true;

    public override bool CanWrite => false;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(
        Memory<byte> destination,
        CancellationToken cancellationToken = default)
    {
        var reader = stream.Body.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffered = result.Buffer;
            if (buffered.IsEmpty)
            {
                reader.AdvanceTo(buffered.End);
                if (result.IsCompleted || destination.IsEmpty)
                {
                    return 0;
                }
                continue;
            }
            var count = (int)Math.Min(destination.Length, buffered.Length);
            buffered.Slice(0, count).CopyTo(destination.Span);
            reader.AdvanceTo(buffered.GetPosition(count));
            await connection.OnReadAsync(stream, count);
            return count;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            connection.Release(stream);
            stream.Body.Reader.Complete();
        }
        base.Dispose(disposing);
    }
}
