using CnnDistributed.Worker.Runtime.Transport.Hpack;


namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class HpackBlockReaderTests
{
    [Theory]
    [InlineData("0a", 5, 10)] // RFC 7541 C.1.1
    [InlineData("ea", 5, 10)] // C.1.1 with the three bits above the prefix set
    [InlineData("1f9a 0a", 5, 1337)] // C.1.2
    [InlineData("2a", 8, 42)] // C.1.3
    [InlineData("7f00", 7, 127)]
    [InlineData("7f80 ffff ff07", 7, int.MaxValue)]
    public void PrefixedIntegersDecodeAsInRfc7541(string encoded, int prefixBits, int value)
    {
        var reader = new HpackBlockReader(Hex(encoded));

        Assert.Equal(value, reader.ReadInteger(prefixBits));
        Assert.True(reader.End);
    }

    [Fact]
    public void IntegerOneAboveInt32MaxValueThrows()
    {
        var exception = Assert.Throws<InvalidDataException>(() => new HpackBlockReader(Hex("7f81 ffff ff07")).ReadInteger(7));

        Assert.Equal("HPACK: integer overflows 32 bits", exception.Message);
    }

    [Fact]
    public void RawAndHuffmanStringsReadInSequence()
    {
        var reader = new HpackBlockReader(Hex("0a 6375 7374 6f6d 2d6b 6579 89 25a8 49e9 5bb8 e8b4 bf 00"));

        Assert.Equal("custom-key", reader.ReadString());
        Assert.Equal("custom-value", reader.ReadString());
        Assert.Equal("", reader.ReadString());
        Assert.True(reader.End);
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
}
