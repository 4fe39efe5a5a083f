using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Evaluation;

/// <summary>
/// Runs the forward pass over a whole split in fixed chunks and sums per-sample losses in sample order in double,
/// so the result does not depend on the backend's thread count.
/// </summary>
public sealed class SplitEvaluator
{
    internal const int DefaultChunk = 1000;

    private readonly IComputeBackend _backend;
    private readonly float[] _losses;
    private readonly byte[] _predictions;

    /// <summary>
    /// An evaluator that hands <paramref name="backend"/> at most <paramref name="chunk"/> samples per call, reusing
    /// buffers of that size.
    /// </summary>
    public SplitEvaluator(IComputeBackend backend, int chunk = DefaultChunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        _backend = backend;
        _losses = new float[chunk];
        _predictions = new byte[chunk];
    }

    /// <summary>Evaluates the weights <paramref name="parameters"/> on all of <paramref name="split"/>.</summary>
    public SplitEvaluation Evaluate(ReadOnlySpan<float> parameters, MnistSplit split)
    {
        var confusion = new int[ModelShape.Classes][];
        for (var c = 0; c < confusion.Length; c++)
        {
            confusion[c] = new int[ModelShape.Classes];
        }
        var lossSum = 0.0;
        var all = split.All;
        for (var start = 0; start < split.Count; start += _losses.Length)
        {
            var count = Math.Min(_losses.Length, split.Count - start);
            var chunk = all.Slice(start, count);
            _backend.Evaluate(parameters, chunk, _losses.AsSpan(0, count), _predictions.AsSpan(0, count));
            var labels = chunk.Labels.Span;
            for (var i = 0; i < count; i++)
            {
                lossSum += _losses[i];
                confusion[labels[i]][_predictions[i]]++;
            }
        }
        return new SplitEvaluation(split.Count, lossSum, confusion);
    }
}
