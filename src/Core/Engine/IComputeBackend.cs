namespace CnnDistributed.Core.Engine;

/// <summary>
/// Forward and backward passes of the network on one device. The unit of work is a shard: a backend
/// returns, for every shard it is given, the <b>sum</b> over the shard's samples of the per-sample
/// cross-entropy gradient, computed in an order that does not depend on thread count (docs/determinism.md).
/// Callers combine shard gradients with <see cref="Training.GradientTree"/> and divide by the batch size.
/// </summary>
public interface IComputeBackend : IDisposable
{
    /// <summary>A short device-kind name, e.g. <c>cpu-avx512</c>; results are bit-identical within one kind.</summary>
    string DeviceKind { get; }

    /// <summary>
    /// Computes each shard's gradient sum into <paramref name="gradients"/>[i] (overwritten, length
    /// <see cref="Model.ModelShape.ParameterCount"/>) and its statistics into <paramref name="stats"/>[i].
    /// </summary>
    void ComputeGradients(
        ReadOnlySpan<float> parameters,
        IReadOnlyList<ShardSamples> shards,
        IReadOnlyList<float[]> gradients,
        Span<ShardStats> stats);

    /// <summary>Forward pass only: per-sample loss and predicted class.</summary>
    void Evaluate(ReadOnlySpan<float> parameters, ShardSamples samples, Span<float> losses, Span<byte> predictions);
}
