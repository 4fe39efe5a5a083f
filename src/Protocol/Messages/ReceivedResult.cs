using System.Buffers;
using CnnDistributed.Protocol.V1;

namespace CnnDistributed.Protocol.Messages;

/// <summary>
/// A worker's message as it came off the wire: its step result, or null when it carried none. Its node gradients live
/// in buffers rented from <see cref="ArrayPool{T}.Shared"/> (<see cref="WorkerMessageReader"/>); whoever consumes the
/// result, by summing it, refusing it or discarding it, hands them back with <see cref="Release"/> once nothing reads
/// the gradients any more.
/// </summary>
public sealed class ReceivedResult
{
    private IReadOnlyList<byte[]>? _rented;

    internal ReceivedResult(StepResult? result, IReadOnlyList<byte[]> rented)
    {
        Result = result;
        _rented = rented;
    }

    /// <summary>A result whose gradients are not rented (scripted test workers).</summary>
    internal ReceivedResult(StepResult result) : this(result, [])
    {
    }

    /// <summary>The step result the message carried, or null when it carried none.</summary>
    public StepResult? Result { get; }

    /// <summary>
    /// Returns the gradient buffers to the pool; the result's gradients must not be read afterwards. Idempotent.
    /// </summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } rented)
        {
            foreach (var buffer in rented)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
