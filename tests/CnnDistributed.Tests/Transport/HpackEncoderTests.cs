using System.Buffers;
using System.Text;
using CnnDistributed.Worker.Runtime.Transport.Hpack;

namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class HpackEncoderTests
{
    [Fact]
    public void FieldIsWrittenAsLiteralWithoutIndexingWithNewNameAndRawStrings()
    {
        var output = new ArrayBufferWriter<byte>();

        HpackEncoder.WriteLiteral("te", "trailers", output);

        Assert.Equal("00 02 7465 08 7472 6169 6c65 7273".Replace(" ", ""), Convert.ToHexStringLower(output.WrittenSpan));
    }

    [Theory]
    [InlineData(126, "7e")]
    [InlineData(127, "7f00")]
    [InlineData(128, "7f01")]
    [InlineData(254, "7f7f")]
    [InlineData(255, "7f8001")]
    [InlineData(1000, "7fe906")]
    public void ValueLengthOf127OrMoreTakesContinuationOctets(int length, string lengthHex)
    {
        var output = new ArrayBufferWriter<byte>();

        HpackEncoder.WriteLiteral("a", new string('v', length), output);

        var expected = "000161" + lengthHex + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(new string('v', length)));
        Assert.Equal(expected, Convert.ToHexStringLower(output.WrittenSpan));
    }

    [Fact]
    public void WrittenFieldsDecodeBackInOrder()
    {
        var longValue = string.Concat(Enumerable.Range(0, 300).Select(i => (char)(' ' + i % 95)));
        (string Name, string Value)[] fields =
        [
            (":method", "POST"), (":path", "/cnndistributed.v1.Coordinator/WorkStream"),
            ("content-type", "application/grpc"), ("x-long", longValue), ("x-tab", "a\tb c"), ("x-empty", ""),
        ];
        var output = new ArrayBufferWriter<byte>();

        foreach (var (name, value) in fields)
        {
            HpackEncoder.WriteLiteral(name, value, output);
        }
        var headers = new List<KeyValuePair<string, string>>();
        new HpackDecoder().Decode(output.WrittenSpan, headers);

        Assert.Equal(fields, headers.Select(header => (header.Key, header.Value)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Content-Type")]
    [InlineData("x name")]
    [InlineData("x-\u00e9")]
    public void InvalidNameThrowsAndWritesNothing(string name)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => HpackEncoder.WriteLiteral(name, "v", output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\u0000")]
    [InlineData("a\u007f")]
    [InlineData("caf\u00e9")]
    [InlineData("\u4e2d")]
    public void ValueOutsideVisibleAsciiSpaceAndTabThrowsAndWritesNothing(string value)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => HpackEncoder.WriteLiteral("x-value", value, output));
        Assert.Equal(0, output.WrittenCount);
    }
}
