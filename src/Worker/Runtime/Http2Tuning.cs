using System.Net.Sockets;

namespace CnnDistributed.Worker.Runtime;

/// <summary>
/// HTTP/2 settings shared by both ends of the work stream. The defaults (64 KiB stream window on the client,
/// 96/128 KiB on Kestrel) are smaller than one 138,488-byte weight set or gradient, so every message would stall for
/// WINDOW_UPDATE round trips; a window of several messages lets each go out in one burst.
/// </summary>
public static class Http2Tuning
{
    public const int WindowBytes = 4 * 1024 * 1024;

    /// <summary>
    /// A handler for a worker's channel: large stream window, one connection per worker, HTTP/2 keep-alive pings, and
    /// connections that receive in large chunks (<see cref="ReadAheadStream"/>).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(TimeSpan keepAliveInterval, TimeSpan keepAliveTimeout) => new()
    {
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        InitialHttp2StreamWindowSize = WindowBytes,
        KeepAlivePingDelay = keepAliveInterval,
        KeepAlivePingTimeout = keepAliveTimeout,
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        ConnectCallback = ConnectAsync,
    };

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new ReadAheadStream(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
