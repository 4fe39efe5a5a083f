namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// The HTTP message handler of a worker's gRPC channel: HTTP/2 without TLS over one <see cref="H2cConnection"/>,
/// replaced by a new one when it fails or the peer goes away. Only http:// addresses.
/// </summary>
public sealed class H2cHandler(H2cTimeouts timeouts, TimeProvider timeProvider) : HttpMessageHandler
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private H2cConnection? _connection;

    protected override async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        CancellationToken cancellationToken)
    {
        var address = request.RequestUri ?? throw new InvalidOperationException("the request has no address");
        if (address.Scheme != Uri.UriSchemeHttp)
        {
            throw new HttpRequestException(
                HttpRequestError.Unknown,
                $"{address}: workers speak HTTP/2 without TLS, so the address must start with http://");
        }
        var connection = await ConnectAsync(address, cancellationToken);
        return await connection.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _connection?.Abort(new ObjectDisposedException(nameof(H2cHandler)));
            _connecting.Dispose();
        }
        base.Dispose(disposing);
    }

    private async Task<H2cConnection> ConnectAsync(Uri address, CancellationToken cancellationToken)
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
            var connection = await H2cConnection.ConnectAsync(address, timeouts, timeProvider, cancellationToken);
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _connecting.Release();
        }
    }
}
