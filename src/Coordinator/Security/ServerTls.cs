using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CnnDistributed.Hosting.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Coordinator.Security;

/// <summary>
/// The coordinator's side of mutual TLS: its server certificate, and the policy a worker's client certificate must
/// meet (issued by the run's CA, a client certificate, valid now). Kestrel asks for the TLS options of every new
/// connection here, so a folder whose files change (<see cref="FromDirectory"/>) takes effect for new connections
/// while running streams continue on theirs. Refusals are logged in one line naming the peer and the reason.
/// </summary>
public sealed class ServerTls : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly string? _directory;
    private readonly ITimer? _reload;
    private Credentials _current;
    private byte[] _fingerprint = [];

    private ServerTls(Credentials credentials, TimeProvider clock, string? directory, TimeSpan reloadInterval)
    {
        _current = credentials;
        _clock = clock;
        _directory = directory;
        if (directory is not null)
        {
            _fingerprint = Fingerprint(directory);
            _reload = clock.CreateTimer(_ => Reload(), null, reloadInterval, reloadInterval);
        }
    }

    /// <summary>Logs refused handshakes and reloads; set by the host once its logging exists.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>The certificate new connections are offered.</summary>
    public X509Certificate2 Certificate => Volatile.Read(ref _current).Certificate;

    /// <summary>
    /// The credentials of <c>DIR/coordinator.crt</c>, <c>.key</c> and <c>DIR/ca.crt</c>, read again whenever those
    /// files
    /// change (checked every <paramref name="reloadInterval"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">A file is missing or unreadable; the message names it.</exception>
    public static ServerTls FromDirectory(string directory, TimeProvider clock, TimeSpan reloadInterval) =>
        new(Load(directory), clock, directory, reloadInterval);

    /// <summary>Fixed credentials, such as the in-memory CA of <c>cnnd train</c>.</summary>
    public static ServerTls InMemory(X509Certificate2 certificate, X509Certificate2 authority, TimeProvider clock) =>
        new(new Credentials(certificate, authority), clock, null, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// The TLS options of one new connection: TLS 1.2 or 1.3, ALPN h2, a client certificate required.
    /// </summary>
    public SslServerAuthenticationOptions OptionsFor(ConnectionContext connection)
    {
        var credentials = Volatile.Read(ref _current);
        var workers = new PeerCertificateValidator(credentials.Authority, Oids.ClientAuthentication, _clock);
        return new SslServerAuthenticationOptions
        {
            ServerCertificate = credentials.Certificate,
            ClientCertificateRequired = true,
            EnabledSslProtocols = TlsSettings.Protocols,
            ApplicationProtocols = TlsSettings.ApplicationProtocols,
            CipherSuitesPolicy = TlsSettings.CipherSuites,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                var refusal = workers.Refusal(certificate is null ? null : AsCertificate2(certificate));
                if (refusal is not null)
                {
                    Logger?.LogWarning(
                        "Refused a TLS connection from {Peer}: {Reason}", connection.RemoteEndPoint, refusal);
                }
                return refusal is null;
            },
        };
    }

    public void Dispose() => _reload?.Dispose();

    private void Reload()
    {
        var fingerprint = Fingerprint(_directory!);
        if (fingerprint.AsSpan().SequenceEqual(_fingerprint))
        {
            return;
        }
        try
        {
            Volatile.Write(ref _current, Load(_directory!));
            _fingerprint = fingerprint;
            Logger?.LogInformation("Reloaded the certificates of {Directory}; new connections use them", _directory);
        }
        catch (InvalidDataException e)
        {
            Logger?.LogWarning("Kept the previous certificates: {Reason}", e.Message);
        }
    }

    private static Credentials Load(string directory) => new(
        TlsDirectory.LoadIdentity(directory, TlsDirectory.Coordinator), TlsDirectory.LoadAuthority(directory));

    /// <summary>A hash of the three files' contents: what decides whether they changed.</summary>
    private static byte[] Fingerprint(string directory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in new[]
        {
            TlsDirectory.CertificatePath(directory, TlsDirectory.Coordinator),
            TlsDirectory.KeyPath(directory, TlsDirectory.Coordinator),
            TlsDirectory.CertificatePath(directory, TlsDirectory.Authority),
        })
        {
            try
            {
                hash.AppendData(File.ReadAllBytes(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                hash.AppendData([0]);
            }
        }
        return hash.GetHashAndReset();
    }

    private static X509Certificate2 AsCertificate2(X509Certificate certificate) =>
        certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());

    private sealed record Credentials(X509Certificate2 Certificate, X509Certificate2 Authority);
}
