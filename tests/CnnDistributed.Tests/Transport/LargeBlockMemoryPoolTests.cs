using System.Runtime.InteropServices;
using CnnDistributed.Coordinator.Hosting;

namespace CnnDistributed.Tests.Transport;

[Trait("Category", "Unit")]
public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void ABlockHoldsAWholeGradientFrameAndTheLastReturnedBlockIsReusedFirst()
    {
        using var pool = new LargeBlockMemoryPoolFactory().Create();
        var first = pool.Rent(1);
        var second = pool.Rent();
        var (firstBlock, secondBlock) = (Block(first.Memory), Block(second.Memory));
        first.Dispose();
        second.Dispose();
        second.Dispose();

        using var reused = pool.Rent();
        using var next = pool.Rent();
        using var fresh = pool.Rent();

        Assert.Equal(LargeBlockMemoryPool.BlockBytes, reused.Memory.Length);
        Assert.True(LargeBlockMemoryPool.BlockBytes >= 9 + 5 + 138_488, "a gradient's DATA frame fits one block");
        Assert.Same(secondBlock, Block(reused.Memory));
        Assert.Same(firstBlock, Block(next.Memory));
        Assert.NotSame(firstBlock, Block(fresh.Memory));
        Assert.NotSame(secondBlock, Block(fresh.Memory));
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
