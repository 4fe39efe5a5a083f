using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Worker.Runtime;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>A protocol-complete peer that answers every assignment at once with a precomputed gradient: load for the coordinator alone.</summary>
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
        var channel = GrpcChannel.ForAddress(coordinator, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024, HttpHandler = Http2Tuning.CreateHandler() });
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
        return new SimulatedWorker(channel, AnswerAsync(client, job, cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _channel.Dispose();
    }

    private static async Task AnswerAsync(TrainingCoordinator.TrainingCoordinatorClient client, JobSettings job, CancellationToken cancellationToken)
    {
        var gradient = new float[ModelShape.ParameterCount];
        gradient.AsSpan().Fill(1e-3f);
        var gradientBytes = ByteString.CopyFrom(MemoryMarshal.AsBytes(gradient.AsSpan()));
        using var call = client.Work(new Metadata { { WorkerRuntime.WorkerIdHeader, job.WorkerId } }, cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            if (call.ResponseStream.Current.Assignment is not { } assignment)
            {
                await call.RequestStream.CompleteAsync();
                return;
            }
            var result = new StepResult { StepId = assignment.StepId, ComputeMicros = 1 };
            foreach (var node in GradientTree.Cover(job.ShardCount, assignment.ShardStart, assignment.ShardEnd))
            {
                result.Nodes.Add(new NodeGradient { Start = node.Start, Size = node.Size, GradientSum = gradientBytes });
            }
            foreach (var shard in assignment.Shards)
            {
                result.Shards.Add(new ShardOutcome { LossSum = 2.3 * shard.Labels.Length, Samples = shard.Labels.Length });
            }
            await call.RequestStream.WriteAsync(new WorkerMessage { Result = result }, cancellationToken);
        }
    }
}
