using CnnDistributed.Protocol.V1;
using CnnDistributed.Protocol.Wire;
using Grpc.Core;

namespace CnnDistributed.Protocol.Messages;

/// <summary>
/// The methods of training.proto's <c>TrainingCoordinator</c> service with this project's own readers for the work
/// stream's large messages (<see cref="CoordinatorMessageReader"/> on the worker, <see cref="WorkerMessageReader"/> on
/// the coordinator). The bytes on the wire are exactly those of the generated stubs.
/// </summary>
public static class WorkStreamMethods
{
    /// <summary>The metadata header that names the registered worker on its work stream.</summary>
    public const string WorkerIdHeader = "cnnd-worker-id";

    private const string WorkName = "Work";

    /// <summary><c>Register</c>, unary, with the generated messages.</summary>
    public static Method<RegisterRequest, RegisterReply> Register { get; } = new(
        MethodType.Unary,
        TrainingCoordinator.Descriptor.FullName,
        "Register",
        ProtobufMarshaller.For(RegisterRequest.Parser),
        ProtobufMarshaller.For(RegisterReply.Parser));

    /// <summary>
    /// The coordinator's side of <c>Work</c>: worker messages are read into pooled gradient buffers; it never
    /// serialises one.
    /// </summary>
    public static Method<ReceivedResult, CoordinatorMessage> ForCoordinator { get; } = new(
        MethodType.DuplexStreaming,
        TrainingCoordinator.Descriptor.FullName,
        WorkName,
        Marshallers.Create<ReceivedResult>(
            (_, _) => throw new NotSupportedException("the coordinator only reads worker messages"),
            context => WorkerMessageReader.Parse(context.PayloadAsReadOnlySequence())),
        ProtobufMarshaller.For(CoordinatorMessage.Parser));

    /// <summary>
    /// The worker's side of <c>Work</c>: coordinator messages land in the buffers of <paramref name="reader"/>.
    /// </summary>
    public static Method<WorkerMessage, CoordinatorMessage> ForWorker(CoordinatorMessageReader reader) => new(
        MethodType.DuplexStreaming,
        TrainingCoordinator.Descriptor.FullName,
        WorkName,
        ProtobufMarshaller.For(WorkerMessage.Parser),
        Marshallers.Create<CoordinatorMessage>(
            ProtobufMarshaller.Write,
            context => reader.Parse(context.PayloadAsReadOnlySequence())));
}
