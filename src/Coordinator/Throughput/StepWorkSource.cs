using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Throughput;

/// <summary>Endless shuffled minibatches of a training split, cut into the job's fixed shards.</summary>
public sealed class StepWorkSource(MnistSplit train, int batchSize, int shardCount)
{
    private readonly ShardPlan _plan = new(shardCount);
    private int[] _order = EpochOrder.Create(train.Count, 1, 0, shuffle: true);
    private int _epoch;
    private int _position;
    private long _step;
    // Reused every step: a step's samples are no longer read once its ComputeAsync has returned.
    private readonly byte[] _pixels = new byte[batchSize * ModelShape.Pixels];
    private readonly byte[] _labels = new byte[batchSize];

    public StepWork Next()
    {
        if (_position + batchSize > _order.Length)
        {
            _order = EpochOrder.Create(train.Count, 1, ++_epoch, shuffle: true);
            _position = 0;
        }
        var count = Math.Min(batchSize, _order.Length);
        var pixels = _pixels.AsMemory(0, count * ModelShape.Pixels);
        var labels = _labels.AsMemory(0, count);
        train.Gather(_order.AsSpan(_position, count), pixels.Span, labels.Span);
        _position += count;
        var all = ShardSamples.Create(pixels, labels);
        var shards = new ShardSamples[_plan.ShardCount];
        for (var s = 0; s < shards.Length; s++)
        {
            var (start, size) = _plan.Range(count, s);
            shards[s] = all.Slice(start, size);
        }
        return new StepWork(_step++, _epoch, count, shards);
    }
}
