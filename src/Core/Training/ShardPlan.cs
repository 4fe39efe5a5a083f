namespace CnnDistributed.Core.Training;

/// <summary>
/// Cuts every minibatch into the same number of shards, whatever the number of workers: shard i of a
/// batch of n samples holds positions [i·n/S, (i+1)·n/S). A short last batch simply has smaller shards.
/// </summary>
public sealed class ShardPlan
{
    /// <summary>A plan of <paramref name="shardCount"/> shards per batch, a power of two as the tree needs.</summary>
    public ShardPlan(int shardCount)
    {
        GradientTree.RequirePowerOfTwo(shardCount);
        ShardCount = shardCount;
    }

    /// <summary>Shards per minibatch, whatever its size.</summary>
    public int ShardCount { get; }

    /// <summary>
    /// The positions of shard <paramref name="shard"/> within a batch of <paramref name="batchCount"/> samples; the
    /// count is 0 when the batch has fewer samples than shards and this shard gets none.
    /// </summary>
    public (int Start, int Count) Range(int batchCount, int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        var start = (int)((long)shard * batchCount / ShardCount);
        var end = (int)((long)(shard + 1) * batchCount / ShardCount);
        return (start, end - start);
    }
}
