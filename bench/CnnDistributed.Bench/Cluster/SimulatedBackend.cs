using CnnDistributed.Core.Engine;

namespace CnnDistributed.Bench.Cluster;

/// <summary>
/// A compute backend that answers at once: every shard's gradient is a constant and its loss a plausible number. Run by
/// the real worker runtime (<see cref="SimulatedWorkers"/>), it turns a worker into load for the coordinator alone.
/// </summary>
internal sealed class SimulatedBackend : IComputeBackend
{
    public const string Kind = "simulated";

    private const float Gradient = 1e-3f;

    public string DeviceKind => Kind;

    public void ComputeGradients(ReadOnlySpan<float> parameters, IReadOnlyList<ShardSamples> shards, IReadOnlyList<float[]> gradients, Span<ShardStats> stats)
    {
        for (var i = 0; i < shards.Count; i++)
        {
            gradients[i].AsSpan().Fill(Gradient);
            stats[i] = new ShardStats(2.3 * shards[i].Count, 0, shards[i].Count);
        }
    }

    public void Evaluate(ReadOnlySpan<float> parameters, ShardSamples samples, Span<float> losses, Span<byte> predictions) =>
        throw new NotSupportedException("simulated workers only compute gradients");

    public void Dispose()
    {
    }
}
