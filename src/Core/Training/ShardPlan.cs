namespace CnnDistributed.Core.Training;

/// <summary>
/// Cuts every minibatch into the same number of shards, whatever the number of workers: shard i of a
/// batch of n samples holds positions [i·n/S, (i+1)·n/S). A short last batch simply has smaller shards.
/// </summary>
public sealed class ShardPlan
{
    public ShardPlan(int shardCount)
    {
        GradientTree.RequirePowerOfTwo(shardCount);
        ShardCount = shardCount;
    }

    public int ShardCount { get; }

    public (int Start, int Count) Range(int batchCount, int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        var start = (int)((long)shard * batchCount / ShardCount);
        var end = (int)((long)(shard + 1) * batchCount / ShardCount);
        return (start, end - start);
    }
}
