using System.Text;

namespace CnnDistributed.Worker.Runtime.Transport.Hpack;

/// <summary>
/// Reads the primitives of an HPACK header block: prefixed integers (RFC 7541 §5.1) and string literals, raw or
/// Huffman-coded (§5.2). Malformed input throws <see cref="InvalidDataException"/>.
/// </summary>
public ref struct HpackBlockReader(ReadOnlySpan<byte> block)
{
    private const int HuffmanFlag = 0x80;

    private readonly ReadOnlySpan<byte> _block = block;
    private int _position;

    public readonly bool End => _position == _block.Length;

    /// <summary>The next octet, left unread; call only when not at the <see cref="End"/>.</summary>
    public readonly byte Peek() => _block[_position];

    /// <summary>
    /// Reads an integer held in the low <paramref name="prefixBits"/> bits of the next octet and any continuation
    /// octets.
    /// </summary>
    public int ReadInteger(int prefixBits)
    {
        var prefixMax = (1 << prefixBits) - 1;
        long value = ReadOctet() & prefixMax;
        if (value < prefixMax)
        {
            return (int)value;
        }
        for (var shift = 0; shift <= 28; shift += 7)
        {
            var octet = ReadOctet();
            value += (long)(octet & 0x7F) << shift;
            if (value > int.MaxValue)
            {
                break;
            }
            if (octet < 0x80)
            {
                return (int)value;
            }
        }
        throw new InvalidDataException("HPACK: integer overflows 32 bits");
    }

    /// <summary>
    /// Reads a string literal; each octet, after Huffman decoding where flagged, becomes one Latin-1 character.
    /// </summary>
    public string ReadString()
    {
        if (End)
        {
            throw new InvalidDataException("HPACK: truncated string literal");
        }
        var huffman = (Peek() & HuffmanFlag) != 0;
        var length = ReadInteger(7);
        if (length > _block.Length - _position)
        {
            throw new InvalidDataException($"HPACK: string of {length} octets is truncated");
        }
        var octets = _block.Slice(_position, length);
        _position += length;
        return huffman ? HpackHuffman.Decode(octets) : Encoding.Latin1.GetString(octets);
    }

    private byte ReadOctet() => End ? throw new InvalidDataException("HPACK: truncated integer") : _block[_position++];
}
