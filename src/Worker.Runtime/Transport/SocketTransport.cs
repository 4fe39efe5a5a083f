using System.Net.Sockets;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>HTTP/2 without TLS: a request body's frames leave in one gathered system call.</summary>
internal sealed class SocketTransport(Socket socket) : Http2Transport
{
    public override async ValueTask SendAsync(IList<ArraySegment<byte>> segments)
    {
        var total = 0;
        foreach (var segment in segments)
        {
            total += segment.Count;
        }
        if (await socket.SendAsync(segments, SocketFlags.None) != total)
        {
            throw new SocketException((int)SocketError.MessageSize);
        }
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public override void Dispose() => socket.Dispose();
}
