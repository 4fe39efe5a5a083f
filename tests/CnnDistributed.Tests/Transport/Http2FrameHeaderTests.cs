using CnnDistributed.Worker.Runtime.Transport;


namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class Http2FrameHeaderTests
{
    [Fact]
    public void UnpaddedFrameContentIsTheWholePayload()
    {
        byte[] payload = [1, 2, 3];
        var header = new Http2FrameHeader(payload.Length, Http2FrameType.Data, 0, 1);

        Assert.Equal(payload, payload[header.Unpadded(payload)]);
    }

    [Fact]
    public void PaddedFrameContentLiesBetweenThePadLengthAndThePadding()
    {
        byte[] payload = [2, 7, 8, 9, 0, 0];
        var header = new Http2FrameHeader(payload.Length, Http2FrameType.Data, Http2FrameHeader.Padded, 1);

        Assert.Equal([7, 8, 9], payload[header.Unpadded(payload)]);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 3, 0, 0 })]
    public void PaddingThatLeavesNoRoomIsAProtocolError(byte[] payload)
    {
        var header = new Http2FrameHeader(payload.Length, Http2FrameType.Headers, Http2FrameHeader.Padded, 3);

        var error = Assert.Throws<Http2ProtocolException>(() => header.Unpadded(payload));
        Assert.Contains("more padding than payload", error.Message);
    }
}
