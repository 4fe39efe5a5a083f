using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A raw gRPC peer that registers like a worker and answers its first assignment with a result that is wrong in one
/// way (<see cref="PeerMisbehaviour"/>), written as raw bytes so that it can also be malformed protobuf. Its work
/// stream's final status shows how the coordinator dealt with it.
/// </summary>
public sealed class MisbehavingWorker : IDisposable
{
    private static readonly Method<byte[], CoordinatorMessage> RawWork = new(MethodType.DuplexStreaming, TrainingCoordinator.Descriptor.FullName, "Work",
        Marshallers.Create((byte[] bytes) => bytes, bytes => bytes), Marshallers.Create((CoordinatorMessage m) => m.ToByteArray(), CoordinatorMessage.Parser.ParseFrom));

    private readonly GrpcChannel _channel;
    private readonly TrainingCoordinator.TrainingCoordinatorClient _client;

    /// <param name="channel">A channel to the coordinator, with a valid worker certificate where it wants TLS.</param>
    public MisbehavingWorker(GrpcChannel channel)
    {
        _channel = channel;
        _client = new TrainingCoordinator.TrainingCoordinatorClient(_channel);
    }

    public const string Name = "bad-peer";

    public Task<RegisterReply> RegisterAsync(string deviceKind, uint protocolVersion = (uint)ProtocolVersion.Current) =>
        _client.RegisterAsync(new RegisterRequest { Name = Name, DeviceKind = deviceKind, Threads = 1, ProtocolVersion = protocolVersion }).ResponseAsync;

    /// <summary>Opens the work stream and misbehaves on the first assignment; completes with the stream's final status.</summary>
    public async Task<Status> MisbehaveAsync(JobSettings job, PeerMisbehaviour misbehaviour)
    {
        using var call = _channel.CreateCallInvoker().AsyncDuplexStreamingCall(RawWork, null, new CallOptions(new Metadata { { WorkStreamMethods.WorkerIdHeader, job.WorkerId } }));
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                if (call.ResponseStream.Current.Assignment is { } assignment)
                {
                    var bytes = new WorkerMessage { Result = BadResult(assignment, job.ShardCount, misbehaviour) }.ToByteArray();
                    await call.RequestStream.WriteAsync(misbehaviour == PeerMisbehaviour.TruncatedMessage ? bytes[..^100] : bytes);
                }
            }
            return call.GetStatus();
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    /// <summary>
    /// Opens the work stream under <paramref name="victimId"/>, another worker's id, and writes a result that would
    /// poison step 0 (NaN in the gradient of every shard); completes with the stream's final status.
    /// </summary>
    public async Task<Status> ImpersonateAsync(string victimId, int shardCount)
    {
        var gradient = new float[ModelShape.ParameterCount];
        gradient[0] = float.NaN;
        var poisoned = new StepResult { StepId = 0, ComputeMicros = 1000 };
        poisoned.Nodes.Add(new NodeGradient
        {
            Start = 0,
            Size = shardCount,
            GradientSum = ByteString.CopyFrom(MemoryMarshal.AsBytes(gradient.AsSpan())),
        });
        using var call = _channel.CreateCallInvoker().AsyncDuplexStreamingCall(RawWork, null, new CallOptions(new Metadata { { WorkStreamMethods.WorkerIdHeader, victimId } }));
        try
        {
            try
            {
                await call.RequestStream.WriteAsync(new WorkerMessage { Result = poisoned }.ToByteArray());
            }
            catch (IOException)
            {
                // The coordinator may refuse the stream before the result is written: its status says why.
            }
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
            return call.GetStatus();
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    public void Dispose() => _channel.Dispose();

    private static StepResult BadResult(StepAssignment assignment, int shardCount, PeerMisbehaviour misbehaviour)
    {
        var result = ZeroGradientResult.For(assignment, shardCount, computeMicros: 1000);
        var gradient = new float[ModelShape.ParameterCount];
        switch (misbehaviour)
        {
            case PeerMisbehaviour.GradientOfWrongLength:
                result.Nodes[0].GradientSum = ByteString.CopyFrom(new byte[ModelShape.ParameterCount * sizeof(float) - 4]);
                break;
            case PeerMisbehaviour.NaNInGradient:
                gradient[123] = float.NaN;
                result.Nodes[0].GradientSum = ByteString.CopyFrom(MemoryMarshal.AsBytes(gradient.AsSpan()));
                break;
            case PeerMisbehaviour.InfinityInGradient:
                gradient[7] = float.PositiveInfinity;
                result.Nodes[0].GradientSum = ByteString.CopyFrom(MemoryMarshal.AsBytes(gradient.AsSpan()));
                break;
            case PeerMisbehaviour.HugeFiniteGradient:
                gradient[42] = 1e9f;
                result.Nodes[0].GradientSum = ByteString.CopyFrom(MemoryMarshal.AsBytes(gradient.AsSpan()));
                break;
            case PeerMisbehaviour.UnknownStepId:
                result.StepId = assignment.StepId + 1000;
                break;
            case PeerMisbehaviour.WrongTreeNode:
                result.Nodes[0].Start = (result.Nodes[0].Start + 1) % shardCount;
                break;
        }
        return result;
    }
}
