using System.Net.Security;
using System.Security.Authentication;

namespace CnnDistributed.Hosting.Tls;

/// <summary>
/// What both sides of a connection offer (docs/security.md, "Certificates"): TLS 1.2 or 1.3 with ALPN h2, and only
/// AEAD cipher suites with forward secrecy for the run's ECDSA certificates. AES-128-GCM comes first: every gradient
/// and weight set is encrypted once and decrypted once on each connection, so the cipher's speed is a share of every
/// step, and AES-128 is as safe as AES-256 for a run's lifetime.
/// </summary>
public static class TlsSettings
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public static List<SslApplicationProtocol> ApplicationProtocols => [SslApplicationProtocol.Http2];

    /// <summary>The cipher suites, most preferred first; null where the platform does not let us choose.</summary>
    public static CipherSuitesPolicy? CipherSuites { get; } = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()
        ? new CipherSuitesPolicy(
        [
            TlsCipherSuite.TLS_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ])
        : null;
}
