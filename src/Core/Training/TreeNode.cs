namespace CnnDistributed.Core.Training;

/// <summary>A node of the fixed binary summation tree over shards: the aligned block [Start, Start+Size).</summary>
public readonly record struct TreeNode(int Start, int Size)
{
    public int End => Start + Size;

    public override string ToString() => $"[{Start},{End})";
}
