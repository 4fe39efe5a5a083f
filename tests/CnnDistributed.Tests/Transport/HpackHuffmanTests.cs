using CnnDistributed.Worker.Runtime.Transport.Hpack;


namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class HpackHuffmanTests
{
    [Theory]
    [InlineData("f1e3 c2e5 f23a 6ba0 ab90 f4ff", "www.example.com")]
    [InlineData("a8eb 1064 9cbf", "no-cache")]
    [InlineData("25a8 49e9 5ba9 7d7f", "custom-key")]
    [InlineData("25a8 49e9 5bb8 e8b4 bf", "custom-value")]
    [InlineData("6402", "302")]
    [InlineData("640e ff", "307")]
    [InlineData("aec3 771a 4b", "private")]
    [InlineData("d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff", "Mon, 21 Oct 2013 20:13:21 GMT")]
    [InlineData("9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3", "https://www.example.com")]
    [InlineData("9bd9 ab", "gzip")]
    [InlineData(
        "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1")]
    [InlineData("", "")]
    public void StringsOfRfc7541AppendixCDecode(string encoded, string text)
    {
        Assert.Equal(text, HpackHuffman.Decode(Hex(encoded)));
    }

    [Theory]
    [InlineData("ffc7", "\u0000")] // 13 bits
    [InlineData("ffff fff3", "\n")] // 30 bits, the longest code besides EOS
    [InlineData("ffff fbbf", "\u00ff")] // 26 bits
    [InlineData("07ff ffff 9fff ff77", "0\n\u00ff")] // 5 + 30 + 26 bits, codes straddling octets
    public void ShortestAndLongestCodesDecodeToTheirOctets(string encoded, string text)
    {
        Assert.Equal(text, HpackHuffman.Decode(Hex(encoded)));
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
}
