using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using CnnDistributed.Hosting.Tls;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// The bytes under one <see cref="Http2Connection"/>: a TCP socket, speaking HTTP/2 by prior knowledge (h2c, for an
/// http:// address) or through TLS with ALPN h2 and a client certificate (https://). One reader and one writer at a
/// time.
/// </summary>
internal abstract class Http2Transport : IDisposable
{
    /// <summary>Sends every byte of <paramref name="segments"/>, in order.</summary>
    public abstract ValueTask SendAsync(IList<ArraySegment<byte>> segments);

    /// <summary>
    /// Receives what has arrived into <paramref name="buffer"/>; 0 when the peer closed the connection.
    /// </summary>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    public abstract void Dispose();

    /// <summary>
    /// Connects to <paramref name="address"/>: a TLS handshake that checks the coordinator's certificate against
    /// <paramref name="tls"/> for https://, none for http://.
    /// </summary>
    /// <exception cref="HttpRequestException">The peer cannot be reached or refused the handshake; the message says
    /// which, in one line.</exception>
    public static async Task<Http2Transport> ConnectAsync(
        Uri address,
        Http2Timeouts timeouts,
        ClientTls? tls,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(timeouts.Connect);
        try
        {
            await socket.ConnectAsync(address.IdnHost, address.Port, connectTimeout.Token);
            if (tls is null)
            {
                return new SocketTransport(socket);
            }
            return await HandshakeAsync(socket, address, tls, connectTimeout.Token);
        }
        catch (Exception e) when (e is SocketException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            var reason = e is SocketException ? e.Message : $"no answer within {timeouts.Connect.TotalSeconds:0.#} s";
            throw new HttpRequestException(
                HttpRequestError.ConnectionError, $"cannot connect to {address.Authority}: {reason}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<Http2Transport> HandshakeAsync(
        Socket socket, Uri address, ClientTls tls, CancellationToken cancellationToken)
    {
        string? refusal = null;
        var wire = new CoalescingStream(new NetworkStream(socket, ownsSocket: true));
        var stream = new SslStream(wire, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = address.IdnHost,
            ApplicationProtocols = TlsSettings.ApplicationProtocols,
            EnabledSslProtocols = TlsSettings.Protocols,
            CipherSuitesPolicy = TlsSettings.CipherSuites,
            ClientCertificates = [tls.Certificate],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => tls.Certificate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                refusal = tls.Coordinator.Refusal(AsCertificate2(certificate), address.IdnHost);
                return refusal is null;
            },
        };
        try
        {
            await stream.AuthenticateAsClientAsync(options, cancellationToken);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await stream.DisposeAsync();
            var reason = refusal is not null
                ? $"its certificate was refused: {refusal}"
                : "the TLS handshake failed (is it running with --insecure, or does it not trust this worker's "
                    + "certificate?)";
            throw new HttpRequestException(
                HttpRequestError.SecureConnectionError, $"cannot connect to {address.Authority}: {reason}");
        }
        if (stream.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            await stream.DisposeAsync();
            throw new HttpRequestException(
                HttpRequestError.SecureConnectionError,
                $"cannot connect to {address.Authority}: it did not agree to HTTP/2 (ALPN h2)");
        }
        wire.Coalesce = true;
        return new TlsTransport(stream);
    }

    private static X509Certificate2? AsCertificate2(X509Certificate? certificate) => certificate switch
    {
        null => null,
        X509Certificate2 certificate2 => certificate2,
        _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
    };
}
