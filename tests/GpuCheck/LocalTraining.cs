using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.GpuCheck;

/// <summary>
/// A plain in-process training loop over one backend (the coordinator's step semantics: fixed shard count,
/// shard gradients summed along the tree, mean over the batch, SGD on the host), for comparing devices.
/// </summary>
public sealed class LocalTraining(IComputeBackend backend, MnistDataset data, int batchSize, float learningRate, ulong seed = 1, int shards = 8)
{
    private readonly float[] _weights = WeightInitializer.Create(seed);
    private readonly SgdOptimizer _optimizer = new(0f, false, 0f, ModelShape.ParameterCount);
    private readonly LocalStepExecutor _executor = new(backend, shards);
    private readonly ShardPlan _plan = new(shards);
    private readonly byte[] _pixels = new byte[batchSize * ModelShape.Pixels];
    private readonly byte[] _labels = new byte[batchSize];
    private readonly float[] _gradient = new float[ModelShape.ParameterCount];
    private long _step;

    /// <summary>Runs up to <paramref name="maxSteps"/> steps of epoch <paramref name="epoch"/>; returns the steps run.</summary>
    public async Task<int> RunEpochAsync(int epoch, int maxSteps = int.MaxValue)
    {
        var order = EpochOrder.Create(data.Train.Count, seed, epoch, shuffle: true);
        var steps = 0;
        for (var start = 0; start < order.Length && steps < maxSteps; start += batchSize, steps++)
        {
            var count = Math.Min(batchSize, order.Length - start);
            data.Train.Gather(order.AsSpan(start, count), _pixels.AsSpan(0, count * ModelShape.Pixels), _labels.AsSpan(0, count));
            var batch = new ShardSamples(_pixels.AsMemory(0, count * ModelShape.Pixels), _labels.AsMemory(0, count));
            var shards = Enumerable.Range(0, _plan.ShardCount).Select(s =>
            {
                var (first, n) = _plan.Range(count, s);
                return batch.Slice(first, n);
            }).ToList();
            await _executor.ComputeAsync(new StepWork(_step++, epoch, count, shards), _weights, _gradient, CancellationToken.None);
            for (var i = 0; i < _gradient.Length; i++)
            {
                _gradient[i] /= count;
            }
            _optimizer.Step(_weights, _gradient, learningRate);
        }
        return steps;
    }

    /// <summary>Test accuracy of the current weights, in percent.</summary>
    public double TestAccuracy()
    {
        var test = data.Test.All;
        var losses = new float[test.Count];
        var predictions = new byte[test.Count];
        backend.Evaluate(_weights, test, losses, predictions);
        var correct = 0;
        for (var i = 0; i < test.Count; i++)
        {
            correct += predictions[i] == test.Labels.Span[i] ? 1 : 0;
        }
        return 100.0 * correct / test.Count;
    }
}
