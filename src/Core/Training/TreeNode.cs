namespace CnnDistributed.Core.Training;

/// <summary>A node of the fixed binary summation tree over shards: the aligned block [Start, Start+Size).</summary>
public readonly record struct TreeNode(int Start, int Size)
{
    /// <summary>The first shard after the block.</summary>
    public int End => Start + Size;

    /// <summary>The block as a half-open range, <c>[Start,End)</c>, for messages.</summary>
    public override string ToString() => $"[{Start},{End})";
}
