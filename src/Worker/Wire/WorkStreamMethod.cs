using CnnDistributed.Protocol.V1;
using Grpc.Core;

namespace CnnDistributed.Worker.Wire;

/// <summary>
/// The client side of <c>TrainingCoordinator.Work</c> with this worker's own reader for the coordinator's messages
/// (<see cref="CoordinatorMessageReader"/>); the bytes on the wire are exactly those of the generated stub.
/// </summary>
internal static class WorkStreamMethod
{
    public static Method<WorkerMessage, CoordinatorMessage> Create(CoordinatorMessageReader reader) => new(
        MethodType.DuplexStreaming,
        TrainingCoordinator.Descriptor.FullName,
        "Work",
        ProtobufMarshaller.For(WorkerMessage.Parser),
        Marshallers.Create<CoordinatorMessage>(ProtobufMarshaller.Write, context => reader.Parse(context.PayloadAsReadOnlySequence())));
}
