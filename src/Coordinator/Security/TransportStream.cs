using System.Buffers;
using System.IO.Pipelines;

namespace CnnDistributed.Coordinator.Security;

/// <summary>
/// A Kestrel connection's transport pipes as the stream a <see cref="System.Net.Security.SslStream"/> runs on. Reads
/// hand out whatever the socket delivered; writes are gathered and leave in one send when the stream is flushed (once
/// <see cref="Coalesce"/> is set after the handshake, which writes without flushing), so a message of many TLS records
/// costs one system call. One reader and one writer may use it at the same time.
/// </summary>
internal sealed class TransportStream(IDuplexPipe transport) : Stream
{
    /// <summary>Whether writes wait for the next flush.</summary>
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
        while (true)
        {
            var result = await transport.Input.ReadAsync(cancellationToken);
            var available = result.Buffer;
            if (!available.IsEmpty)
            {
                var count = (int)Math.Min(buffer.Length, available.Length);
                available.Slice(0, count).CopyTo(buffer.Span);
                transport.Input.AdvanceTo(available.GetPosition(count));
                return count;
            }
            transport.Input.AdvanceTo(available.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return 0;
            }
        }
    }

    public override async ValueTask WriteAsync(
        ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        transport.Output.Write(buffer.Span);
        if (!Coalesce)
        {
            await transport.Output.FlushAsync(cancellationToken);
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken) =>
        await transport.Output.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
