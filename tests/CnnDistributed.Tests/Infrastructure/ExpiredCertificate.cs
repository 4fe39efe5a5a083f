using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CnnDistributed.Hosting.Tls;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A client certificate that <c>cnnd certs create</c> never makes: issued by a run folder's own CA, meant for a
/// worker, and expired a minute ago, so that only its validity stands between it and the coordinator.
/// </summary>
public static class ExpiredCertificate
{
    /// <summary>A client certificate named <paramref name="commonName"/>, signed with <c>ca.key</c> of
    /// <paramref name="folder"/>, valid from the CA's start until a minute ago.</summary>
    public static X509Certificate2 Issue(string folder, string commonName)
    {
        using var authority = TlsDirectory.LoadIdentity(folder, TlsDirectory.Authority);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(
            new X509EnhancedKeyUsageExtension([new Oid(Oids.ClientAuthentication)], true));
        request.CertificateExtensions.Add(
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var notBefore = new DateTimeOffset(authority.NotBefore.ToUniversalTime());
        var notAfter = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        using var issued = request.Create(authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }
}
