using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Tests.Training;

/// <summary>
/// A backend whose "gradient" of every sample is 1 in parameter 0 (so a shard's sum is its sample count) and which
/// records the training samples it saw. Each synthetic image encodes its index in its first two pixels (see
/// <see cref="SyntheticDataset"/>). Every training sample counts as correct with loss 1; every test sample with loss 0.5.
/// </summary>
public sealed class FakeComputeBackend : IComputeBackend
{
    public const float TestLoss = 0.5f;

    public List<List<int>> Steps { get; } = [];

    public string DeviceKind => "fake";

    public void ComputeGradients(ReadOnlySpan<float> parameters, IReadOnlyList<ShardSamples> shards, IReadOnlyList<float[]> gradients, Span<ShardStats> stats)
    {
        var seen = new List<int>();
        for (var s = 0; s < shards.Count; s++)
        {
            var pixels = shards[s].Pixels.Span;
            for (var i = 0; i < shards[s].Count; i++)
            {
                seen.Add(SyntheticDataset.IndexOf(pixels.Slice(i * ModelShape.Pixels, ModelShape.Pixels)));
            }
            Array.Clear(gradients[s]);
            gradients[s][0] = shards[s].Count;
            stats[s] = new ShardStats(shards[s].Count, shards[s].Count, shards[s].Count);
        }
        Steps.Add(seen);
    }

    public void Evaluate(ReadOnlySpan<float> parameters, ShardSamples samples, Span<float> losses, Span<byte> predictions)
    {
        losses[..samples.Count].Fill(TestLoss);
        samples.Labels.Span.CopyTo(predictions);
    }

    public void Dispose()
    {
    }
}
