namespace CnnDistributed.Core.Engine;

/// <summary>What a shard's forward pass saw: summed cross-entropy and the number of correct predictions.</summary>
public readonly record struct ShardStats(double LossSum, int Correct, int Samples)
{
    /// <summary>The statistics of both sets of samples together, as if seen in one pass.</summary>
    public static ShardStats operator +(ShardStats a, ShardStats b) =>
        new(a.LossSum + b.LossSum, a.Correct + b.Correct, a.Samples + b.Samples);
}
