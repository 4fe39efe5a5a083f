using System.Security.Cryptography.X509Certificates;

namespace CnnDistributed.Hosting.Tls;

/// <summary>
/// Decides whether a peer's certificate belongs to this run: issued by the run's CA (the system's roots play no
/// part), valid now, and meant for its role (a client certificate from a worker, a server certificate from the
/// coordinator, carrying the name the worker dialled). Returns why a certificate is refused, in one line that names
/// no key material.
/// </summary>
public sealed class PeerCertificateValidator(X509Certificate2 authority, string usage, TimeProvider clock)
{
    /// <summary>The CA whose certificates this validator accepts.</summary>
    public X509Certificate2 Authority { get; } = authority;

    /// <summary>Why <paramref name="certificate"/> is refused, or null when it is accepted.</summary>
    /// <param name="certificate">The peer's certificate; null when it sent none.</param>
    /// <param name="host">For a server certificate, the name or address the client dialled.</param>
    public string? Refusal(X509Certificate2? certificate, string? host = null)
    {
        if (certificate is null)
        {
            return usage == Oids.ClientAuthentication ? "no client certificate" : "no server certificate";
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = clock.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new(usage));
        var subject = certificate.GetNameInfo(X509NameType.SimpleName, false);
        if (!chain.Build(certificate))
        {
            var status = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            return status switch
            {
                _ when status.HasFlag(X509ChainStatusFlags.NotTimeValid) =>
                    $"certificate '{subject}' is not valid now "
                        + $"(valid {certificate.NotBefore:u} to {certificate.NotAfter:u})",
                _ when status.HasFlag(X509ChainStatusFlags.NotValidForUsage) =>
                    $"certificate '{subject}' is not a {Role(usage)} certificate",
                _ => $"certificate '{subject}' is not issued by this run's CA",
            };
        }
        if (!chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span))
        {
            return $"certificate '{subject}' is not issued by this run's CA";
        }
        if (host is not null && !certificate.MatchesHostname(host))
        {
            return $"certificate '{subject}' does not name {host}";
        }
        return null;
    }

    private static string Role(string usage) => usage == Oids.ClientAuthentication ? "client" : "server";
}
