using System.Threading.Channels;
using Grpc.Core;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>A server stream writer whose messages land in a channel the test reads, standing in for a worker's stream.</summary>
public sealed class ChannelStreamWriter<T> : IServerStreamWriter<T>
{
    private readonly Channel<T> _messages = Channel.CreateUnbounded<T>();

    public WriteOptions? WriteOptions { get; set; }

    public ChannelReader<T> Messages => _messages.Reader;

    public Task WriteAsync(T message) => _messages.Writer.WriteAsync(message).AsTask();
}
