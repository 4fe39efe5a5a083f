namespace CnnDistributed.Worker.Runtime.Transport.Hpack;

/// <summary>
/// The HPACK dynamic table of RFC 7541 §2.3.2 and §4: newest entry first, each entry sized as its name and value
/// octets plus 32, the oldest entries evicted whenever the total would exceed the maximum size.
/// </summary>
public sealed class HpackDynamicTable(int maxSize)
{
    private const int EntryOverhead = 32;

    private readonly List<KeyValuePair<string, string>> _entries = [];

    public int MaxSize { get; private set; } = maxSize;

    /// <summary>The sum of the entry sizes.</summary>
    public int Size { get; private set; }

    public int Count => _entries.Count;

    /// <summary>The entry at a one-based position, 1 being the newest.</summary>
    public KeyValuePair<string, string> this[int position] => _entries[position - 1];

    /// <summary>Adds an entry; one larger than the maximum size empties the table and is not added (§4.4).</summary>
    public void Add(KeyValuePair<string, string> entry)
    {
        var entrySize = SizeOf(entry);
        EvictUntil(MaxSize - entrySize);
        if (entrySize <= MaxSize)
        {
            _entries.Insert(0, entry);
            Size += entrySize;
        }
    }

    public void Resize(int maxSize)
    {
        MaxSize = maxSize;
        EvictUntil(maxSize);
    }

    private void EvictUntil(int size)
    {
        while (_entries.Count > 0 && Size > size)
        {
            Size -= SizeOf(_entries[^1]);
            _entries.RemoveAt(_entries.Count - 1);
        }
    }

    private static int SizeOf(KeyValuePair<string, string> entry) =>
        entry.Key.Length + entry.Value.Length + EntryOverhead;
}
