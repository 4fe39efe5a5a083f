using Google.Protobuf;
using Grpc.Core;

namespace CnnDistributed.Protocol.Wire;

/// <summary>gRPC marshallers for generated messages, written straight into gRPC's buffer as generated stubs do.</summary>
public static class ProtobufMarshaller
{
    public static Marshaller<T> For<T>(MessageParser<T> parser) where T : IMessage<T>, IBufferMessage =>
        Marshallers.Create<T>(Write, context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    public static void Write<T>(T message, SerializationContext context) where T : IMessage<T>, IBufferMessage
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }
}
