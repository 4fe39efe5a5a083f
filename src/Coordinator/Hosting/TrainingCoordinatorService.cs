using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Grpc.Core;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>
/// The gRPC face of the coordinator; registration and streams are handled by the injected registry and relay.
/// </summary>
public sealed class TrainingCoordinatorService(WorkerRegistry registry, WorkStreamRelay relay)
    : TrainingCoordinatorServiceBase
{
    public override Task<RegisterReply> Register(RegisterRequest request, ServerCallContext context) =>
        Task.FromResult(registry.Register(request, WorkerPeer.Of(context)));

    public override Task Work(
        IAsyncStreamReader<ReceivedResult> requestStream,
        IServerStreamWriter<CoordinatorMessage> responseStream,
        ServerCallContext context) =>
        relay.RunAsync(
            context.RequestHeaders.GetValue(WorkStreamMethods.WorkerIdHeader),
            WorkerPeer.Of(context),
            requestStream,
            responseStream,
            context.CancellationToken);
}
