using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using CnnDistributed.Hosting.Tls;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Grpc.Net.Client;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A peer with the run's shared worker certificate that writes gRPC request bodies byte by byte over .NET's own
/// HTTP/2 client (SocketsHttpHandler, one TLS connection for all its calls): a message's 5-byte prefix may declare
/// another length than the bytes that follow, and a body may trickle. It registers on the same connection, so the
/// coordinator lets it open the work stream of the id it was given.
/// </summary>
public sealed class RawGrpcPeer : IDisposable
{
    public const string Name = "raw-peer";

    private readonly X509Certificate2 _certificate;
    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _http;
    private readonly GrpcChannel _channel;

    public RawGrpcPeer(Uri address, string certificateFolder)
    {
        _certificate = TlsDirectory.LoadIdentity(certificateFolder, RunCertificateAuthority.SharedWorkerName);
        _handler = new SocketsHttpHandler();
        _handler.SslOptions.ClientCertificates = [_certificate];
        _handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        _http = new HttpClient(_handler, disposeHandler: false)
        {
            BaseAddress = address,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _channel = GrpcChannel.ForAddress(
            address, new GrpcChannelOptions { HttpClient = _http, DisposeHttpClient = false });
    }

    /// <summary>Registers as a worker named <see cref="Name"/>; an id it is given is good for this peer's work stream.</summary>
    public async Task<RegisterReply> RegisterAsync(string deviceKind) =>
        await new TrainingCoordinator.TrainingCoordinatorClient(_channel).RegisterAsync(new RegisterRequest
        {
            Name = Name,
            DeviceKind = deviceKind,
            Threads = 1,
            ProtocolVersion = (uint)ProtocolVersion.Current,
        });

    /// <summary>
    /// Opens the work stream as worker <paramref name="workerId"/>, writes <paramref name="body"/> and discards what the
    /// coordinator sends until the call ends. The body's token is cancelled when the response has ended: a body that
    /// waits for it keeps the request open.
    /// </summary>
    public Task<RawGrpcOutcome> WorkAsync(string workerId, Func<Stream, CancellationToken, Task> body) =>
        CallAsync(WorkStreamMethods.ForCoordinator.FullName, workerId, body);

    /// <summary>Calls <c>Register</c> with <paramref name="body"/> as its request body.</summary>
    public Task<RawGrpcOutcome> RegisterRawAsync(Func<Stream, CancellationToken, Task> body) =>
        CallAsync(WorkStreamMethods.Register.FullName, null, body);

    /// <summary>The 5-byte gRPC prefix of an uncompressed message that declares <paramref name="length"/> bytes.</summary>
    public static byte[] Prefix(uint length)
    {
        var prefix = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), length);
        return prefix;
    }

    /// <summary>Waits until <paramref name="token"/> is cancelled, keeping a request body open.</summary>
    public static Task HoldOpenAsync(CancellationToken token) =>
        Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default);

    public void Dispose()
    {
        _channel.Dispose();
        _http.Dispose();
        _handler.Dispose();
        _certificate.Dispose();
    }

    private async Task<RawGrpcOutcome> CallAsync(
        string path, string? workerId, Func<Stream, CancellationToken, Task> body)
    {
        using var ended = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new PushedContent(stream => body(stream, ended.Token)),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (workerId is not null)
        {
            request.Headers.Add(WorkStreamMethods.WorkerIdHeader, workerId);
        }
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.CopyToAsync(Stream.Null);
            return RawGrpcOutcome.From(response);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new RawGrpcOutcome(null, e.Message);
        }
        finally
        {
            await ended.CancelAsync();
        }
    }

    private sealed class PushedContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
