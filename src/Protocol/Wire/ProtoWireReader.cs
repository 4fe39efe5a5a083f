using System.Buffers;

namespace CnnDistributed.Protocol.Wire;

/// <summary>
/// Reads protocol-buffers wire format straight from a received gRPC payload. The work stream's two large messages are
/// read with it so that their tensors land in reused buffers: generated parsers copy every <c>bytes</c> field into a
/// fresh array, which for 138,488-byte tensors means large-object-heap garbage and gen-2 collections on every step.
/// Malformed input throws <see cref="InvalidDataException"/>.
/// </summary>
internal ref struct ProtoWireReader(ReadOnlySequence<byte> payload)
{
    private SequenceReader<byte> _reader = new(payload);

    /// <summary>Whether every byte of the payload has been read.</summary>
    public readonly bool End => _reader.End;

    /// <summary>A field's tag: its number and how its value is encoded.</summary>
    public (int Field, WireType Wire) ReadTag()
    {
        var tag = ReadVarint();
        var field = tag >> 3;
        if (field is 0 or > int.MaxValue)
        {
            throw new InvalidDataException($"invalid field number {field}");
        }
        return ((int)field, (WireType)(tag & 7));
    }

    /// <summary>A base-128 varint of up to 10 bytes, as an unsigned 64-bit value.</summary>
    public ulong ReadVarint()
    {
        var value = 0UL;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!_reader.TryRead(out var b))
            {
                throw new InvalidDataException("truncated varint");
            }
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("varint longer than 10 bytes");
    }

    /// <summary>An <c>int32</c> field: negative values travel sign-extended to 64 bits.</summary>
    public int ReadInt32() => (int)ReadVarint();

    /// <summary>An <c>int64</c> field.</summary>
    public long ReadInt64() => (long)ReadVarint();

    /// <summary>A <c>double</c> field: 8 little-endian bytes.</summary>
    public double ReadDouble()
    {
        if (!_reader.TryReadLittleEndian(out long bits))
        {
            throw new InvalidDataException("truncated fixed64");
        }
        return BitConverter.Int64BitsToDouble(bits);
    }

    /// <summary>
    /// The bytes of a length-delimited field (a nested message or <c>bytes</c>), without copying them.
    /// </summary>
    public ReadOnlySequence<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)_reader.Remaining)
        {
            throw new InvalidDataException($"field of {length} bytes with {_reader.Remaining} left in the message");
        }
        var field = _reader.UnreadSequence.Slice(0, (long)length);
        _reader.Advance((long)length);
        return field;
    }

    /// <summary>Skips a field this reader does not know (protocol buffers' forward compatibility).</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed64 or WireType.Fixed32:
                var size = wire == WireType.Fixed64 ? 8 : 4;
                if (_reader.Remaining < size)
                {
                    throw new InvalidDataException($"truncated {wire} field");
                }
                _reader.Advance(size);
                break;
            default:
                throw new InvalidDataException($"unsupported wire type {(int)wire}");
        }
    }
}
