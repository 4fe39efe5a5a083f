using System.Buffers;
using CnnDistributed.Protocol.Wire;
using CnnDistributed.Tests.Infrastructure;
using Google.Protobuf;

namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class ProtoWireReaderTests
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(127UL)]
    [InlineData(128UL)]
    [InlineData(300UL)]
    [InlineData(ulong.MaxValue)]
    public void VarintsReadBackWhatProtobufWrote(ulong value)
    {
        var bytes = Encode(output => output.WriteUInt64(value));

        var reader = new ProtoWireReader(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(value, reader.ReadVarint());
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void NegativeInt32ReadsBackFromItsTenByteSignExtension(int value)
    {
        var bytes = Encode(output => output.WriteInt32(value));

        var reader = new ProtoWireReader(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(value, reader.ReadInt32());
    }

    [Fact]
    public void FieldsAreReadAcrossSegmentBorders()
    {
        var payload = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var bytes = Encode(output =>
        {
            output.WriteTag(1, WireFormat.WireType.Varint);
            output.WriteInt64(1L << 40);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(payload));
            output.WriteTag(3, WireFormat.WireType.Fixed64);
            output.WriteDouble(2.5);
        });

        var reader = new ProtoWireReader(SegmentedSequence.Split(bytes, 7));

        Assert.Equal((1, WireType.Varint), reader.ReadTag());
        Assert.Equal(1L << 40, reader.ReadInt64());
        Assert.Equal((2, WireType.LengthDelimited), reader.ReadTag());
        Assert.Equal(payload, reader.ReadLengthDelimited().ToArray());
        Assert.Equal((3, WireType.Fixed64), reader.ReadTag());
        Assert.Equal(2.5, reader.ReadDouble());
        Assert.True(reader.End);
    }

    [Fact]
    public void SkipPassesOverEveryWireType()
    {
        var bytes = Encode(output =>
        {
            output.WriteTag(1, WireFormat.WireType.Varint);
            output.WriteUInt64(ulong.MaxValue);
            output.WriteTag(2, WireFormat.WireType.Fixed64);
            output.WriteFixed64(7);
            output.WriteTag(3, WireFormat.WireType.LengthDelimited);
            output.WriteString("skipped");
            output.WriteTag(4, WireFormat.WireType.Fixed32);
            output.WriteFixed32(9);
            output.WriteTag(5, WireFormat.WireType.Varint);
            output.WriteUInt32(42);
        });
        var reader = new ProtoWireReader(new ReadOnlySequence<byte>(bytes));

        for (var field = 1; field <= 4; field++)
        {
            var (number, wire) = reader.ReadTag();
            Assert.Equal(field, number);
            reader.Skip(wire);
        }

        Assert.Equal((5, WireType.Varint), reader.ReadTag());
        Assert.Equal(42UL, reader.ReadVarint());
    }

    [Theory]
    [InlineData(new byte[] { 0x80 }, "truncated varint")]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "longer than 10 bytes")]
    [InlineData(new byte[] { 0x0A, 0x05, 0x01, 0x02 }, "field of 5 bytes with 2 left")]
    [InlineData(new byte[] { 0x09, 0x01, 0x02 }, "truncated Fixed64")]
    [InlineData(new byte[] { 0x0B }, "unsupported wire type 3")]
    [InlineData(new byte[] { 0x00 }, "invalid field number 0")]
    public void MalformedInputThrowsInvalidDataNamingTheProblem(byte[] bytes, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new ProtoWireReader(new ReadOnlySequence<byte>(bytes));
            while (!reader.End)
            {
                reader.Skip(reader.ReadTag().Wire);
            }
        });

        Assert.Contains(problem, error.Message);
    }

    private static byte[] Encode(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        var output = new CodedOutputStream(memory);
        write(output);
        output.Flush();
        return memory.ToArray();
    }
}
