using CnnDistributed.Tests.Infrastructure;
using CnnDistributed.Worker.Runtime.Transport;

namespace CnnDistributed.Tests.Transport;

/// <summary>
/// What fuzzing (docs/fuzzing.md, target http2-frames) found to break the worker's HTTP/2 client: frames that must
/// close the connection with a protocol error naming the problem, and a close whose reason must not be lost.
/// </summary>
[Trait("Category", "Unit")]
public sealed class Http2ConnectionRefusalTests
{
    private static readonly Uri Address = new("http://coordinator:5000/cnnd.v1.Training/Work");

    [Fact]
    public async Task Http2ClientRefusesAHeaderFieldWithAnEmptyName()
    {
        // An empty SETTINGS frame, then HEADERS on stream 1 (END_HEADERS): :status 200 (indexed 0x88) and a literal
        // field without indexing whose name is zero bytes long and whose value is "1".
        var reply = Convert.FromHexString("000000040000000000" + "000005010400000001" + "8800000131");

        var closedBy = await ReplayAsync(reply);

        var refusal = Assert.IsType<Http2ProtocolException>(closedBy);
        Assert.Equal(Http2ErrorCode.ProtocolError, refusal.ErrorCode);
        Assert.Contains("a header field with an empty name on stream 1", refusal.Message);
    }

    [Fact]
    public async Task Http2ClientClosedFromAnotherPathEndsReadingWithThatPathsReason()
    {
        // Found by fuzzing: a GOAWAY whose last stream drained closes the connection from the thread pool while the
        // read loop waits for bytes; the loop must end with that reason, not with the receive it cut short.
        var transport = new ReplayTransport([]);
        var connection = await Http2Connection.OpenAsync(transport, Address, TimeProvider.System);
        var reason = new IOException("coordinator went away");

        connection.Abort(reason);

        Assert.Same(reason, await connection.Reading.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Opens one request on a connection whose peer replies <paramref name="reply"/> and hangs up.</summary>
    private static async Task<Exception> ReplayAsync(byte[] reply)
    {
        var transport = new ReplayTransport(reply);
        var connection = await Http2Connection.OpenAsync(transport, Address, TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Post, Address) { Content = new ByteArrayContent([1]) };
        var response = connection.SendAsync(request, CancellationToken.None);
        transport.Deliver();
        var closedBy = await connection.Reading.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<HttpRequestException>(() => response);
        return closedBy;
    }
}
