using System.Net;
using System.Net.Sockets;
using CnnDistributed.Worker.Runtime;

namespace CnnDistributed.Tests.Transport;

/// <summary>The worker's connection stream over a real loopback socket pair.</summary>
[Trait("Category", "Unit")]
public sealed class ReadAheadStreamTests
{
    [Theory]
    [InlineData(16 * 1024 + 9)]
    [InlineData(1)]
    [InlineData(ReadAheadStream.BufferBytes + 1)]
    public async Task SmallOrLargeReadsReturnTheBytesInOrder(int readBytes)
    {
        var sent = Enumerable.Range(0, 700_000).Select(i => (byte)(i * 31 + (i >> 11))).ToArray();
        var (client, server) = await ConnectedPairAsync();
        using var stream = new ReadAheadStream(client);
        using var peer = server;

        var sending = Task.Run(async () =>
        {
            for (var at = 0; at < sent.Length; at += 50_000)
            {
                await peer.SendAsync(sent.AsMemory(at, Math.Min(50_000, sent.Length - at)));
            }
            peer.Shutdown(SocketShutdown.Send);
        });
        var received = new MemoryStream();
        var buffer = new byte[readBytes];
        int count;
        while ((count = await stream.ReadAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, count);
        }
        await sending;

        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task WritesReachThePeerUnbuffered()
    {
        var (client, server) = await ConnectedPairAsync();
        using var stream = new ReadAheadStream(client);
        using var peer = server;

        await stream.WriteAsync(new byte[] { 1, 2, 3 });
        var received = new byte[3];
        var count = await peer.ReceiveAsync(received, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, count);
        Assert.Equal(new byte[] { 1, 2, 3 }, received);
    }

    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var accepting = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (client, await accepting);
    }
}
