namespace CnnDistributed.Coordinator.Steps;

/// <summary>A contiguous range of shards [Start, End).</summary>
public readonly record struct ShardRange(int Start, int End)
{
    public int Count => End - Start;

    public override string ToString() => $"[{Start},{End})";
}
