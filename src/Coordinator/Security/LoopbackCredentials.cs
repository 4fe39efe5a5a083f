using System.Security.Cryptography.X509Certificates;
using CnnDistributed.Hosting.Tls;
using CnnDistributed.Worker.Runtime.Transport;

namespace CnnDistributed.Coordinator.Security;

/// <summary>
/// The credentials of a job on this machine (<c>cnnd train --workers N</c>): a CA made in memory for this process
/// alone, a coordinator certificate for the loopback addresses and one worker certificate, so that the default path
/// is the mutually authenticated one. No key leaves the process.
/// </summary>
public sealed class LoopbackCredentials : IDisposable
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(7);

    private LoopbackCredentials(ServerTls coordinator, ClientTls workers)
    {
        Coordinator = coordinator;
        Workers = workers;
    }

    /// <summary>The coordinator's side.</summary>
    public ServerTls Coordinator { get; }

    /// <summary>What every in-process worker presents and checks.</summary>
    public ClientTls Workers { get; }

    /// <summary>A fresh CA and its two certificates.</summary>
    public static LoopbackCredentials Create(TimeProvider clock)
    {
        using var authority = RunCertificateAuthority.Create(Validity, clock);
        var publicAuthority = X509CertificateLoader.LoadCertificate(authority.Certificate.RawData);
        var coordinator = ServerTls.InMemory(authority.IssueCoordinator([], Validity), publicAuthority, clock);
        var worker = new ClientTls(
            authority.IssueWorker(RunCertificateAuthority.SharedWorkerName, Validity),
            new PeerCertificateValidator(publicAuthority, Oids.ServerAuthentication, clock));
        return new LoopbackCredentials(coordinator, worker);
    }

    public void Dispose() => Coordinator.Dispose();
}
