using CnnDistributed.Protocol.V1;
using CnnDistributed.Worker.Runtime;
using Grpc.Net.Client;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>
/// A protocol-complete peer that answers every assignment at once with a precomputed gradient: load for the coordinator
/// alone. It registers like any worker and then runs its <c>Work</c> call as a <see cref="SimulatedWorkStream"/>, which
/// reads only the fields it needs from each assignment and writes a pre-serialized result, so it costs little beside
/// the coordinator in the same process.
/// </summary>
internal sealed class SimulatedWorker : IAsyncDisposable
{
    public const string DeviceKind = "simulated";

    private readonly SimulatedWorkStream _stream;

    private SimulatedWorker(SimulatedWorkStream stream) => _stream = stream;

    public static async Task<SimulatedWorker> StartAsync(Uri coordinator, string name, CancellationToken cancellationToken)
    {
        JobSettings job;
        using (var channel = GrpcChannel.ForAddress(coordinator, new GrpcChannelOptions { HttpHandler = Http2Tuning.CreateHandler(Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(20), TimeProvider.System) }))
        {
            var reply = await new TrainingCoordinator.TrainingCoordinatorClient(channel).RegisterAsync(new RegisterRequest
            {
                Name = name,
                DeviceKind = DeviceKind,
                Threads = 1,
                ProtocolVersion = (uint)ProtocolVersion.Current,
            }, cancellationToken: cancellationToken);
            job = reply.Accepted ?? throw new InvalidOperationException($"simulated worker refused: {reply.Refused.Reason}");
        }
        return new SimulatedWorker(SimulatedWorkStream.Start(coordinator, job.WorkerId, job.ShardCount, name, cancellationToken));
    }

    /// <summary>Waits for the coordinator to end the worker's call (the executor's shutdown).</summary>
    public async ValueTask DisposeAsync() => await _stream.Finished.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
}
