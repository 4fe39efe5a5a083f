using System.Net.Security;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// HTTP/2 over TLS: the segments of one send are gathered into one buffer and encrypted in one write, so a message
/// still leaves in as few TLS records and system calls as its size allows.
/// </summary>
internal sealed class TlsTransport(SslStream stream) : Http2Transport
{
    private byte[] _gathered = [];

    public override async ValueTask SendAsync(IList<ArraySegment<byte>> segments)
    {
        if (segments.Count == 1)
        {
            await stream.WriteAsync(segments[0]);
            await stream.FlushAsync();
            return;
        }
        var total = 0;
        foreach (var segment in segments)
        {
            total += segment.Count;
        }
        if (_gathered.Length < total)
        {
            _gathered = GC.AllocateUninitializedArray<byte>(total);
        }
        var at = 0;
        foreach (var segment in segments)
        {
            segment.AsSpan().CopyTo(_gathered.AsSpan(at));
            at += segment.Count;
        }
        await stream.WriteAsync(_gathered.AsMemory(0, total));
        await stream.FlushAsync();
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        stream.ReadAsync(buffer, cancellationToken);

    public override void Dispose() => stream.Dispose();
}
