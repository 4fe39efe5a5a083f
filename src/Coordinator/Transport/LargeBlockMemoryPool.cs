using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace CnnDistributed.Coordinator.Transport;

/// <summary>
/// Kestrel's buffer pool with 256 KiB blocks, the largest HTTP/2 frame payload a worker may send
/// (<see cref="CnnDistributed.Worker.Runtime.Http2Tuning.MaxFrameBytes"/>). Kestrel's default pool hands out 4 KiB blocks,
/// and its socket reader receives into one block at a time, so a 138,488-byte gradient cost 34 receive system calls and
/// as many pipe flushes; 64 KiB blocks took three, and a frame spread over several blocks still cost the connection
/// several parse passes and the stream's pipes several segments. With 256 KiB blocks a gradient arrives in one call and
/// one block, and a weight set leaves from one (32-worker coordinator bench: 127–186 against 107–152 steps/s, 4 of 5
/// interleaved rounds better). Blocks come from the pinned object heap and are reused.
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockBytes = 256 * 1024;

    private readonly ConcurrentQueue<byte[]> _free = new();

    public override int MaxBufferSize => BlockBytes;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockBytes);
        var block = _free.TryDequeue(out var free) ? free : GC.AllocateUninitializedArray<byte>(BlockBytes, pinned: true);
        return new Lease(this, block);
    }

    protected override void Dispose(bool disposing) => _free.Clear();

    private sealed class Lease(LargeBlockMemoryPool pool, byte[] block) : IMemoryOwner<byte>
    {
        private byte[]? _block = block;

        public Memory<byte> Memory => MemoryMarshal.CreateFromPinnedArray(_block ?? throw new ObjectDisposedException(nameof(Lease)), 0, BlockBytes);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _block, null) is { } returned)
            {
                pool._free.Enqueue(returned);
            }
        }
    }
}
