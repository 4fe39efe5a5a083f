using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CnnDistributed.Hosting.Tls;

/// <summary>
/// Makes the certificates of one training run with .NET's <see cref="CertificateRequest"/>: a run CA, the coordinator's
/// server certificate and client certificates for workers, all ECDSA P-256 (docs/security.md). The CA signs nothing
/// else, so trusting it trusts exactly this run's parties.
/// </summary>
public sealed class RunCertificateAuthority : IDisposable
{
    /// <summary>The common name of the client certificate any worker may use.</summary>
    public const string SharedWorkerName = "worker";

    /// <summary>The names every coordinator certificate holds besides the <c>--host</c> names: loopback.</summary>
    public static IReadOnlyList<string> LoopbackNames { get; } = ["localhost", "127.0.0.1", "::1"];

    private readonly TimeProvider _clock;

    private RunCertificateAuthority(X509Certificate2 certificate, TimeProvider clock)
    {
        Certificate = certificate;
        _clock = clock;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A new CA, valid from a few minutes ago (clock skew) for <paramref name="validity"/>.</summary>
    public static RunCertificateAuthority Create(TimeSpan validity, TimeProvider clock)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=cnnd run CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        var usage = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var (notBefore, notAfter) = Validity(clock, validity);
        return new RunCertificateAuthority(request.CreateSelfSigned(notBefore, notAfter), clock);
    }

    /// <summary>
    /// The coordinator's certificate: server authentication only, for every name in <paramref name="hosts"/> and the
    /// loopback names (IP addresses as IP entries, the rest as DNS names).
    /// </summary>
    public X509Certificate2 IssueCoordinator(IEnumerable<string> hosts, TimeSpan validity)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts.Concat(LoopbackNames).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }
        return Issue("coordinator", Oids.ServerAuthentication, names.Build(), validity);
    }

    /// <summary>A worker's certificate, client authentication only, with common name <paramref name="name"/>.</summary>
    public X509Certificate2 IssueWorker(string name, TimeSpan validity) =>
        Issue(name, Oids.ClientAuthentication, null, validity);

    public void Dispose() => Certificate.Dispose();

    private X509Certificate2 Issue(string commonName, string usage, X509Extension? alternativeNames, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        if (alternativeNames is not null)
        {
            request.CertificateExtensions.Add(alternativeNames);
        }
        var (notBefore, notAfter) = Validity(_clock, validity);
        notAfter = notAfter > Certificate.NotAfter ? new DateTimeOffset(Certificate.NotAfter) : notAfter;
        using var issued = request.Create(Certificate, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    private static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) Validity(TimeProvider clock, TimeSpan validity)
    {
        var now = clock.GetUtcNow();
        return (now - TimeSpan.FromMinutes(5), now + validity);
    }
}
