using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Coordinator.Security;

/// <summary>
/// The coordinator's TLS layer, in place of Kestrel's own: the handshake with <see cref="ServerTls"/>'s options (a
/// refused client certificate is logged with its reason), then HTTP/2 over the <see cref="SslStream"/> through pipes
/// sized for the protocol's messages. Kestrel's layer reads decrypted data in 4 KiB pieces and sends every 16 KiB TLS
/// record on its own, which made a TLS step cost half again as much CPU as a plaintext one; here reads take up to
/// <see cref="ReadBytes"/> at a time and a flush sends all records written since in one system call. A client that
/// does not start with a TLS handshake, or does not finish one in time, is closed with one log line.
/// </summary>
public sealed class MutualTlsMiddleware(ServerTls tls, ILogger logger, TimeSpan handshakeTimeout)
{
    private const byte TlsHandshakeRecord = 0x16;

    /// <summary>The largest piece of decrypted data the HTTP/2 layer is handed at once.</summary>
    public const int ReadBytes = 256 * 1024;

    /// <summary>The middleware, for <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var transport = connection.Transport;
        using var handshake = new CancellationTokenSource(handshakeTimeout);
        var wire = new TransportStream(transport);
        await using var ssl = new SslStream(wire, leaveInnerStreamOpen: true);
        try
        {
            if (!await StartsWithTlsAsync(connection, handshake.Token))
            {
                return;
            }
            await ssl.AuthenticateAsServerAsync(tls.OptionsFor(connection), handshake.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning(
                "Closed a connection from {Peer}: no TLS handshake within {Seconds:0.#} s",
                connection.RemoteEndPoint,
                handshakeTimeout.TotalSeconds);
            return;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // A refused certificate was logged with its reason by the validation callback.
            return;
        }
        wire.Coalesce = true;
        var input = PipeReader.Create(ssl, new StreamPipeReaderOptions(
            bufferSize: ReadBytes, minimumReadSize: ReadBytes / 4, leaveOpen: true, useZeroByteReads: false));
        var output = PipeWriter.Create(ssl, new StreamPipeWriterOptions(minimumBufferSize: ReadBytes, leaveOpen: true));
        var feature = new TlsFeature(ssl);
        connection.Features.Set<ITlsConnectionFeature>(feature);
        connection.Features.Set<ITlsApplicationProtocolFeature>(feature);
        connection.Transport = new DuplexPipe(input, output);
        try
        {
            await next(connection);
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
            connection.Transport = transport;
        }
    };

    /// <summary>Looks at the first byte without consuming it; a plaintext client is closed with a log line.</summary>
    private async Task<bool> StartsWithTlsAsync(ConnectionContext connection, CancellationToken cancellationToken)
    {
        var input = connection.Transport.Input;
        var read = await input.ReadAsync(cancellationToken);
        var buffer = read.Buffer;
        var first = buffer.IsEmpty ? (byte?)null : buffer.FirstSpan[0];
        input.AdvanceTo(buffer.Start);
        if (first is TlsHandshakeRecord)
        {
            return true;
        }
        if (first is not null)
        {
            logger.LogWarning(
                "Refused a connection from {Peer}: it does not speak TLS (plaintext HTTP/2 from a worker started with "
                    + "--insecure?); this coordinator requires mutual TLS",
                connection.RemoteEndPoint);
        }
        return false;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>
    /// What the HTTP/2 layer and the services see of the TLS session: the client certificate and ALPN.
    /// </summary>
    private sealed class TlsFeature(SslStream ssl) : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public X509Certificate2? ClientCertificate
        {
            get => ssl.RemoteCertificate as X509Certificate2;
            set => throw new NotSupportedException("the client certificate is the one of the handshake");
        }

        public ReadOnlyMemory<byte> ApplicationProtocol => ssl.NegotiatedApplicationProtocol.Protocol;

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) =>
            Task.FromResult(ClientCertificate);
    }
}
