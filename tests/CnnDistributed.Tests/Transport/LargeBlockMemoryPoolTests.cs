using System.Runtime.InteropServices;
using CnnDistributed.Coordinator.Transport;

namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void BlocksHoldAThirdOfAGradientAndDisposedOnesAreReused()
    {
        using var pool = new LargeBlockMemoryPoolFactory().Create();
        var first = pool.Rent(1);
        var firstBlock = Block(first.Memory);
        first.Dispose();
        first.Dispose();

        using var second = pool.Rent();
        using var third = pool.Rent();

        Assert.Equal(LargeBlockMemoryPool.BlockBytes, second.Memory.Length);
        Assert.True(3 * LargeBlockMemoryPool.BlockBytes >= 138_488);
        Assert.Same(firstBlock, Block(second.Memory));
        Assert.NotSame(firstBlock, Block(third.Memory));
        Assert.Throws<ObjectDisposedException>(() => first.Memory);
    }

    [Fact]
    public void RentLargerThanABlockIsRefused()
    {
        using var pool = new LargeBlockMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockBytes + 1));
    }

    private static byte[] Block(Memory<byte> memory) =>
        MemoryMarshal.TryGetArray<byte>(memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");
}
