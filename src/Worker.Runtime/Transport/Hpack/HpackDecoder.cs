namespace CnnDistributed.Worker.Runtime.Transport.Hpack;

/// <summary>
/// Decodes HPACK header blocks (RFC 7541) received on one HTTP/2 connection. The dynamic table is connection-wide,
/// so one instance decodes every block of its connection, in the order received. Malformed input throws
/// <see cref="InvalidDataException"/>, a connection error of type COMPRESSION_ERROR.
/// </summary>
public sealed class HpackDecoder
{
    private readonly int _maxTableSize;
    private readonly HpackDynamicTable _table;

    /// <param name="maxTableSize">The SETTINGS_HEADER_TABLE_SIZE this side advertised: the largest dynamic table
    /// size the peer may select.</param>
    public HpackDecoder(int maxTableSize = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        _maxTableSize = maxTableSize;
        _table = new HpackDynamicTable(maxTableSize);
    }

    /// <summary>
    /// Decodes one complete header block (the HEADERS payload and any CONTINUATION payloads, concatenated) and
    /// appends its fields to <paramref name="headers"/> in order.
    /// </summary>
    public void Decode(ReadOnlySpan<byte> block, ICollection<KeyValuePair<string, string>> headers)
    {
        var reader = new HpackBlockReader(block);
        var fieldSeen = false;
        while (!reader.End)
        {
            if ((reader.Peek() & 0xE0) == 0x20)
            {
                if (fieldSeen)
                {
                    throw new InvalidDataException("HPACK: dynamic table size update after a header field");
                }
                Resize(reader.ReadInteger(5));
                continue;
            }
            headers.Add(ReadField(ref reader));
            fieldSeen = true;
        }
    }

    /// <summary>Reads one field representation: indexed (1xxxxxxx), literal with incremental indexing (01xxxxxx),
    /// literal without indexing (0000xxxx) or literal never indexed (0001xxxx).</summary>
    private KeyValuePair<string, string> ReadField(ref HpackBlockReader reader)
    {
        var first = reader.Peek();
        if ((first & 0x80) != 0)
        {
            return GetField(reader.ReadInteger(7));
        }
        if ((first & 0x40) == 0)
        {
            return ReadLiteral(ref reader, 4);
        }
        var field = ReadLiteral(ref reader, 6);
        _table.Add(field);
        return field;
    }

    private KeyValuePair<string, string> ReadLiteral(ref HpackBlockReader reader, int prefixBits)
    {
        var nameIndex = reader.ReadInteger(prefixBits);
        var name = nameIndex == 0 ? reader.ReadString() : GetField(nameIndex).Key;
        return new(name, reader.ReadString());
    }

    private KeyValuePair<string, string> GetField(int index)
    {
        if (index >= 1 && index <= HpackStaticTable.Count)
        {
            return HpackStaticTable.Get(index);
        }
        var position = index - HpackStaticTable.Count;
        if (position < 1 || position > _table.Count)
        {
            throw new InvalidDataException($"HPACK: header index {index} is out of range");
        }
        return _table[position];
    }

    private void Resize(int maxSize)
    {
        if (maxSize > _maxTableSize)
        {
            throw new InvalidDataException(
                $"HPACK: dynamic table size update to {maxSize} exceeds the advertised {_maxTableSize}");
        }
        _table.Resize(maxSize);
    }
}
