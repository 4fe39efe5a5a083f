using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Connections.Features;

namespace CnnDistributed.Coordinator.Membership;

/// <summary>
/// Where a registration or a work stream came from: the network address, the connection it arrived on (a worker id is
/// only good on the connection that registered it), when that connection closes (its pending registration expires),
/// and the subject of the client certificate (null without TLS).
/// </summary>
public sealed record WorkerPeer(
    string Address,
    string ConnectionId,
    string? CertificateSubject,
    CancellationToken ConnectionClosed)
{
    /// <summary>The peer of a gRPC call served by Kestrel.</summary>
    public static WorkerPeer Of(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return new WorkerPeer(
            context.Peer,
            http.Connection.Id,
            http.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false),
            http.Features.Get<IConnectionLifetimeFeature>()?.ConnectionClosed ?? CancellationToken.None);
    }

    public override string ToString() =>
        CertificateSubject is null ? Address : $"{Address} (certificate {CertificateSubject})";
}
