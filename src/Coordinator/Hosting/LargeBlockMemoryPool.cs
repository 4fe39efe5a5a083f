using System.Buffers;
using System.Runtime.InteropServices;
using CnnDistributed.Protocol;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>
/// Kestrel's buffer pool with blocks as large as the largest HTTP/2 frame payload a worker may send
/// (<see cref="Http2Windows.MaxFrameBytes"/>). Kestrel's socket reader receives into one block at a time: with its
/// default 4 KiB blocks a gradient took dozens of receive calls and as many pipe flushes; with these a gradient
/// arrives in one call and one block, and a weight set leaves from one. Blocks come from the pinned object heap and are
/// reused last-in first-out, so the next receive or serialization lands in the block most likely still in cache
/// (docs/design.md, "The coordinator's transport", has the measurements).
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>The size of every block: the largest HTTP/2 frame payload a worker may send.</summary>
    public const int BlockBytes = Http2Windows.MaxFrameBytes;

    private readonly Lock _gate = new();
    private readonly Stack<byte[]> _free = new();

    public override int MaxBufferSize => BlockBytes;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockBytes);
        byte[]? free;
        lock (_gate)
        {
            _free.TryPop(out free);
        }
        var block = free ?? GC.AllocateUninitializedArray<byte>(BlockBytes, pinned: true);
        return new Lease(this, block);
    }

    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            _free.Clear();
        }
    }

    private void Return(byte[] block)
    {
        lock (_gate)
        {
            _free.Push(block);
        }
    }

    private sealed class Lease(LargeBlockMemoryPool pool, byte[] block) : IMemoryOwner<byte>
    {
        private byte[]? _block = block;

        public Memory<byte> Memory => MemoryMarshal.CreateFromPinnedArray(
            _block ?? throw new ObjectDisposedException(nameof(Lease)), 0, BlockBytes);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _block, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
