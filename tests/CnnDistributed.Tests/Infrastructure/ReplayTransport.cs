using CnnDistributed.Worker.Runtime.Transport;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A peer under an <see cref="Http2Connection"/> that plays fixed bytes once <see cref="Deliver"/> is called, then
/// hangs up; what the client sends is dropped.
/// </summary>
internal sealed class ReplayTransport(byte[] reply) : Http2Transport
{
    private readonly TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    public void Deliver() => _delivered.SetResult();

    public override ValueTask SendAsync(IList<ArraySegment<byte>> segments) => ValueTask.CompletedTask;

    public override async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await _delivered.Task.WaitAsync(cancellationToken);
        var count = Math.Min(buffer.Length, reply.Length - _position);
        reply.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return count;
    }

    public override void Dispose()
    {
    }
}
