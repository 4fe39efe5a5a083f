using CnnDistributed.Core.Engine;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>The vectorised CPU engine: shards run in parallel on <c>threads</c> threads, each shard on one.</summary>
public sealed class CpuBackend(int threads, InputScaling scaling) : IComputeBackend
{
    public string DeviceKind => throw new NotImplementedException();

    public void ComputeGradients(ReadOnlySpan<float> parameters, IReadOnlyList<ShardSamples> shards, IReadOnlyList<float[]> gradients, Span<ShardStats> stats) => throw new NotImplementedException();

    public void Evaluate(ReadOnlySpan<float> parameters, ShardSamples samples, Span<float> losses, Span<byte> predictions) => throw new NotImplementedException();

    public void Dispose()
    {
    }
}
