using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>Gives Kestrel <see cref="LargeBlockMemoryPool"/>s.</summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
