namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>One thread's forward/backward worker for whole shards; owns its workspace.</summary>
internal interface IShardKernel
{
    /// <summary>Forward pass; fills per-sample losses and predictions when the spans are not empty.</summary>
    ShardStats Forward(float[] w, ShardSamples samples, Span<float> losses, Span<byte> predictions);

    /// <summary>Writes the sum over the shard of the per-sample gradients into <paramref name="g"/>.</summary>
    ShardStats ComputeGradient(float[] w, ShardSamples samples, float[] g);
}
