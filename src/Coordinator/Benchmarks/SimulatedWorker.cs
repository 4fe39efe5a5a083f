using CnnDistributed.Protocol.V1;
using CnnDistributed.Worker.Runtime;
using Grpc.Core;
using Grpc.Net.Client;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// A protocol-complete peer that answers every assignment at once with a precomputed gradient: load for the coordinator
/// alone. It reads only the fields it needs from each assignment and writes a pre-serialized result, so it costs
/// little beside the coordinator in the same process.
/// </summary>
internal sealed class SimulatedWorker : IAsyncDisposable
{
    public const string DeviceKind = "simulated";

    private readonly GrpcChannel _channel;
    private readonly Task _running;

    private SimulatedWorker(GrpcChannel channel, Task running)
    {
        _channel = channel;
        _running = running;
    }

    public static async Task<SimulatedWorker> StartAsync(Uri coordinator, string name, CancellationToken cancellationToken)
    {
        var channel = GrpcChannel.ForAddress(coordinator, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024, HttpHandler = Http2Tuning.CreateHandler(Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(20), TimeProvider.System) });
        var client = new TrainingCoordinator.TrainingCoordinatorClient(channel);
        var reply = await client.RegisterAsync(new RegisterRequest
        {
            Name = name,
            DeviceKind = DeviceKind,
            Threads = 1,
            ProtocolVersion = (uint)ProtocolVersion.Current,
        }, cancellationToken: cancellationToken);
        if (reply.Accepted is not { } job)
        {
            throw new InvalidOperationException($"simulated worker refused: {reply.Refused.Reason}");
        }
        return new SimulatedWorker(channel, AnswerAsync(channel, job, cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _channel.Dispose();
    }

    private static async Task AnswerAsync(GrpcChannel channel, JobSettings job, CancellationToken cancellationToken)
    {
        var answer = new SimulatedResult(job.ShardCount);
        var work = new Method<SimulatedResult, SimulatedAssignment>(MethodType.DuplexStreaming, TrainingCoordinator.Descriptor.FullName, "Work", SimulatedResult.Marshaller, SimulatedAssignment.Marshaller);
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(work, null, new CallOptions(new Metadata { { WorkerRuntime.WorkerIdHeader, job.WorkerId } }, cancellationToken: cancellationToken));
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            var assignment = call.ResponseStream.Current;
            if (ReferenceEquals(assignment, SimulatedAssignment.Shutdown))
            {
                await call.RequestStream.CompleteAsync();
                return;
            }
            await call.RequestStream.WriteAsync(answer.For(assignment), cancellationToken);
        }
    }
}
