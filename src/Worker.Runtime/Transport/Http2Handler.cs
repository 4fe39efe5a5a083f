namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// The HTTP message handler of a worker's gRPC channel: HTTP/2 over one <see cref="Http2Connection"/>, replaced by a
/// new one when it fails or the peer goes away. With <paramref name="tls"/> it speaks mutual TLS and takes only
/// https:// addresses; without, HTTP/2 by prior knowledge and only http://.
/// </summary>
public sealed class Http2Handler(Http2Timeouts timeouts, ClientTls? tls, TimeProvider timeProvider) : HttpMessageHandler
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private Http2Connection? _connection;

    protected override async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        CancellationToken cancellationToken)
    {
        var address = request.RequestUri ?? throw new InvalidOperationException("the request has no address");
        var expected = tls is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        if (address.Scheme != expected)
        {
            throw new HttpRequestException(
                HttpRequestError.Unknown,
                tls is null
                    ? $"{address}: without TLS (--insecure) the address must start with http://"
                    : $"{address}: with TLS the address must start with https://");
        }
        var connection = await ConnectAsync(address, cancellationToken);
        return await connection.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _connection?.Abort(new ObjectDisposedException(nameof(Http2Handler)));
            _connecting.Dispose();
        }
        base.Dispose(disposing);
    }

    private async Task<Http2Connection> ConnectAsync(Uri address, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _connection);
        if (current is { IsUsable: true })
        {
            return current;
        }
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsUsable: true })
            {
                return _connection;
            }
            if (_connection is { HasOpenStreams: false })
            {
                _connection.Abort(new IOException("replaced by a new connection"));
            }
            var connection = await Http2Connection.ConnectAsync(
                address, timeouts, tls, timeProvider, cancellationToken);
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _connecting.Release();
        }
    }
}
