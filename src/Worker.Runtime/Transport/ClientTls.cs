using System.Security.Cryptography.X509Certificates;
using CnnDistributed.Hosting.Tls;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// A worker's side of mutual TLS: the client certificate it presents, and the policy its coordinator's certificate
/// must meet (issued by the run's CA, a server certificate, naming the host the worker dialled).
/// </summary>
public sealed record ClientTls(X509Certificate2 Certificate, PeerCertificateValidator Coordinator);
