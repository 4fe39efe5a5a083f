using CnnDistributed.Hosting.Tls;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>A worker's TLS credentials from its <c>--tls</c> folder.</summary>
public static class WorkerTls
{
    /// <summary>
    /// The client certificate <see cref="WorkerOptions.TlsName"/> and the run's CA from <see
    /// cref="WorkerOptions.Tls"/>;
    /// null for <c>--insecure</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is missing or not what it should be; the message names
    /// it.</exception>
    public static ClientTls? Load(WorkerOptions options, TimeProvider clock)
    {
        if (options.Tls is not { } directory)
        {
            return null;
        }
        var authority = TlsDirectory.LoadAuthority(directory);
        var certificate = TlsDirectory.LoadIdentity(directory, options.TlsName);
        return new ClientTls(certificate, new PeerCertificateValidator(authority, Oids.ServerAuthentication, clock));
    }
}
