using CnnDistributed.Worker.Runtime.Transport;

namespace CnnDistributed.Fuzz;

/// <summary>
/// The coordinator's side of an <see cref="Http2Connection"/> played from a fuzz input: nothing arrives until
/// <see cref="Deliver"/>, then the input in short reads, then the peer hangs up. What the client sends is dropped.
/// </summary>
internal sealed class FuzzTransport(byte[] input) : Http2Transport
{
    private const int ReadBytes = 1000;

    private readonly TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;
    private bool _disposed;

    /// <summary>Lets the input arrive, once the client has opened its request.</summary>
    public void Deliver() => _delivered.SetResult();

    public override ValueTask SendAsync(IList<ArraySegment<byte>> segments)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await _delivered.Task.WaitAsync(cancellationToken);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = Math.Min(Math.Min(ReadBytes, buffer.Length), input.Length - _position);
        input.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return count;
    }

    public override void Dispose() => _disposed = true;
}
