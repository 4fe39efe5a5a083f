using CnnDistributed.Worker.Runtime.Transport.Hpack;


namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class HpackDynamicTableTests
{
    [Fact]
    public void EntriesAreSizedAndEvictedAsInRfc7541AppendixC5()
    {
        var table = new HpackDynamicTable(maxSize: 256);
        table.Add(new(":status", "302"));
        table.Add(new("cache-control", "private"));
        table.Add(new("date", "Mon, 21 Oct 2013 20:13:21 GMT"));
        table.Add(new("location", "https://www.example.com"));

        Assert.Equal((4, 222), (table.Count, table.Size));

        table.Add(new(":status", "307"));

        Assert.Equal((4, 222), (table.Count, table.Size));
        Assert.Equal(new(":status", "307"), table[1]);
        Assert.Equal(new("cache-control", "private"), table[4]);

        table.Add(new("date", "Mon, 21 Oct 2013 20:13:22 GMT"));
        table.Add(new("content-encoding", "gzip"));
        table.Add(new("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"));

        Assert.Equal((3, 215), (table.Count, table.Size));
        Assert.Equal(new("date", "Mon, 21 Oct 2013 20:13:22 GMT"), table[3]);
    }

    [Fact]
    public void EntryLargerThanTheTableEmptiesItAndIsNotAdded()
    {
        var table = new HpackDynamicTable(maxSize: 64);
        table.Add(new("a", "b"));

        table.Add(new("name", new string('v', 29)));

        Assert.Equal((0, 0), (table.Count, table.Size));
    }

    [Fact]
    public void ShrinkingEvictsTheOldestEntriesFirst()
    {
        var table = new HpackDynamicTable(maxSize: 4096);
        table.Add(new("a", "1"));
        table.Add(new("b", "2"));

        table.Resize(34);

        Assert.Equal((1, 34, 34), (table.Count, table.Size, table.MaxSize));
        Assert.Equal(new("b", "2"), table[1]);
    }
}
