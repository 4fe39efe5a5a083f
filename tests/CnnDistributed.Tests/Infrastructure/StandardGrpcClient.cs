using CnnDistributed.Protocol.V1;
using Grpc.Net.Client;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// .NET's own gRPC client (SocketsHttpHandler) as a stranger to the run would use it: it presents no client
/// certificate and trusts any server, over TLS for an https:// address and plaintext HTTP/2 for http://.
/// </summary>
public static class StandardGrpcClient
{
    /// <summary>Registers as a worker named <paramref name="name"/> at <paramref name="address"/>.</summary>
    public static async Task<RegisterReply> RegisterAsync(Uri address, string name)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
        var client = new TrainingCoordinator.TrainingCoordinatorClient(channel);
        return await client.RegisterAsync(
            new RegisterRequest
            {
                Name = name,
                DeviceKind = "cpu",
                Threads = 1,
                ProtocolVersion = (uint)ProtocolVersion.Current,
            },
            deadline: DateTime.UtcNow + TimeSpan.FromSeconds(60));
    }
}
