using Google.Protobuf;
using Grpc.Core;

namespace CnnDistributed.Protocol.Wire;

/// <summary>
/// gRPC marshallers for generated messages, written straight into gRPC's buffer as generated stubs do.
/// </summary>
internal static class ProtobufMarshaller
{
    /// <summary>
    /// A marshaller that parses with <paramref name="parser"/> and writes with <see cref="Write{T}"/>.
    /// </summary>
    public static Marshaller<T> For<T>(MessageParser<T> parser) where T : IMessage<T>, IBufferMessage =>
        Marshallers.Create<T>(Write, context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    /// <summary>Serialises <paramref name="message"/> into the buffer of <paramref name="context"/>.</summary>
    public static void Write<T>(T message, SerializationContext context) where T : IMessage<T>, IBufferMessage
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }
}
