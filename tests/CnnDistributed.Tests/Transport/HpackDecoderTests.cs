using CnnDistributed.Worker.Runtime.Transport.Hpack;


namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class HpackDecoderTests
{
    private const string SetCookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    [Fact]
    public void LiteralWithIncrementalIndexingIsAddedToTheDynamicTable()
    {
        var decoder = new HpackDecoder();

        // RFC 7541 C.2.1
        Assert.Equal(
            [("custom-key", "custom-header")],
            Decode(decoder, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
        Assert.Equal([("custom-key", "custom-header")], Decode(decoder, "be"));
    }

    [Theory]
    [InlineData("040c 2f73 616d 706c 652f 7061 7468", ":path", "/sample/path")] // RFC 7541 C.2.2, without indexing
    [InlineData("1008 7061 7373 776f 7264 0673 6563 7265 74", "password", "secret")] // C.2.3, never indexed
    [InlineData("82", ":method", "GET")] // C.2.4, indexed from the static table
    public void FieldsOutsideIncrementalIndexingLeaveTheDynamicTableEmpty(string block, string name, string value)
    {
        var decoder = new HpackDecoder();

        Assert.Equal([(name, value)], Decode(decoder, block));
        AssertOutOfRange(decoder, "be", 62);
    }

    [Fact]
    public void RequestsWithoutHuffmanCodingDecodeAsInRfc7541AppendixC3()
    {
        AssertRequestExamples(
            "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "8286 84be 5808 6e6f 2d63 6163 6865",
            "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65");
    }

    [Fact]
    public void RequestsWithHuffmanCodingDecodeAsInRfc7541AppendixC4()
    {
        AssertRequestExamples(
            "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
            "8286 84be 5886 a8eb 1064 9cbf",
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf");
    }

    [Fact]
    public void ResponsesWithoutHuffmanCodingEvictAsInRfc7541AppendixC5()
    {
        AssertResponseExamples(
            "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32"
            + "3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "4803 3330 37c1 c0bf",
            "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970"
            + "7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61"
            + "6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31");
    }

    [Fact]
    public void ResponsesWithHuffmanCodingEvictAsInRfc7541AppendixC6()
    {
        AssertResponseExamples(
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad"
            + "1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
            "4883 640e ffc1 c0bf",
            "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2"
            + "e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07");
    }

    [Fact]
    public void SizeUpdateEvictsEntriesThatNoLongerFit()
    {
        var decoder = new HpackDecoder();
        Decode(decoder, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");

        Assert.Equal([(":authority", "www.example.com")], Decode(decoder, "3f1a be")); // size 57: the entry still fits
        Assert.Empty(Decode(decoder, "3f19")); // size 56
        AssertOutOfRange(decoder, "3fe1 1f be", 62); // back to 4096, but the entry is gone
    }

    [Fact]
    public void SizeUpdatesUpToTheAdvertisedLimitMayPrecedeTheFields()
    {
        var decoder = new HpackDecoder(maxTableSize: 4096);

        Assert.Equal([(":method", "GET")], Decode(decoder, "20 3fe1 1f 82"));
    }

    [Fact]
    public void OctetsAboveAsciiDecodeAsLatin1()
    {
        Assert.Equal([("a", "\u00e9")], Decode(new HpackDecoder(), "0001 6101 e9"));
    }

    [Theory]
    [InlineData("80", "HPACK: header index 0 is out of range")]
    [InlineData("c6", "HPACK: header index 70 is out of range")]
    [InlineData("7f0b 0161", "HPACK: header index 74 is out of range")]
    [InlineData("ff", "HPACK: truncated integer")]
    [InlineData("ff80", "HPACK: truncated integer")]
    [InlineData("ffff ffff ff0f", "HPACK: integer overflows 32 bits")]
    [InlineData("ff80 8080 8080 01", "HPACK: integer overflows 32 bits")]
    [InlineData("ff80 8080 8080 00", "HPACK: integer overflows 32 bits")] // more continuation octets than 32 bits need
    [InlineData("40", "HPACK: truncated string literal")]
    [InlineData("400a 6375", "HPACK: string of 10 octets is truncated")]
    [InlineData("3fe2 1f", "HPACK: dynamic table size update to 4097 exceeds the advertised 4096")]
    [InlineData("8220", "HPACK: dynamic table size update after a header field")]
    [InlineData("0084 ffff ffff 00", "HPACK: Huffman string contains the EOS symbol")]
    [InlineData("0082 1fff 00", "HPACK: Huffman padding of 11 bits is longer than 7 bits")]
    [InlineData("0081 1800", "HPACK: Huffman padding is not all ones")]
    public void MalformedBlockThrowsInvalidDataException(string block, string message)
    {
        var exception = Assert.Throws<InvalidDataException>(() => Decode(new HpackDecoder(), block));

        Assert.Equal(message, exception.Message);
    }

    private static void AssertRequestExamples(string first, string second, string third)
    {
        var decoder = new HpackDecoder();

        Assert.Equal(
            [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")],
            Decode(decoder, first));
        Assert.Equal(
            [
                (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"),
                ("cache-control", "no-cache"),
            ],
            Decode(decoder, second));
        Assert.Equal(
            [
                (":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"),
                ("custom-key", "custom-value"),
            ],
            Decode(decoder, third));
        Assert.Equal(
            [("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")],
            Decode(decoder, "bebf c0"));
        AssertOutOfRange(decoder, "c1", 65);
    }

    private static void AssertResponseExamples(string first, string second, string third)
    {
        var decoder = new HpackDecoder(maxTableSize: 256);

        Assert.Equal(
            [
                (":status", "302"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
                ("location", "https://www.example.com"),
            ],
            Decode(decoder, first));
        Assert.Equal(
            [
                (":status", "307"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
                ("location", "https://www.example.com"),
            ],
            Decode(decoder, second));
        Assert.Equal(
            [
                (":status", "200"), ("cache-control", "private"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
                ("location", "https://www.example.com"), ("content-encoding", "gzip"), ("set-cookie", SetCookie),
            ],
            Decode(decoder, third));
        Assert.Equal(
            [("set-cookie", SetCookie), ("content-encoding", "gzip"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT")],
            Decode(decoder, "bebf c0"));
        AssertOutOfRange(decoder, "c1", 65);
    }

    private static void AssertOutOfRange(HpackDecoder decoder, string block, int index)
    {
        var exception = Assert.Throws<InvalidDataException>(() => Decode(decoder, block));
        Assert.Equal($"HPACK: header index {index} is out of range", exception.Message);
    }

    private static (string Name, string Value)[] Decode(HpackDecoder decoder, string block)
    {
        var headers = new List<KeyValuePair<string, string>>();
        decoder.Decode(Convert.FromHexString(block.Replace(" ", "")), headers);
        return [.. headers.Select(header => (header.Key, header.Value))];
    }
}
