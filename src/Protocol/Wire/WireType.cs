namespace CnnDistributed.Protocol.Wire;

/// <summary>The protocol-buffers wire types (encoding spec, "Message Structure").</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}
