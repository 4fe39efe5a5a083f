using System.Collections.Concurrent;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// The CPU engine. Shards run in parallel on up to <c>threads</c> threads, each shard whole on one thread,
/// so a shard's gradient never depends on the thread count. The kernel follows the <see cref="CpuKernelTier"/>:
/// by default the fastest this CPU supports (<see cref="CpuKernelTiers.FastestFirst"/>): the hand-blocked
/// <see cref="Avx512ShardKernel"/> (device kind <c>cpu-avx512</c>) or <see cref="Avx2ShardKernel"/> (<c>cpu-avx2</c>,
/// first on AMD Zen 4), else the portable direct implementation (<c>cpu-portable</c>). Results are bit-identical
/// within one device kind.
/// </summary>
public sealed class CpuBackend : IComputeBackend
{
    /// <summary>Samples per parallel work item in <see cref="Evaluate"/>.</summary>
    private const int EvaluationChunk = 64;

    private readonly int _threads;
    private readonly InputScaling _scaling;
    private readonly CpuKernelTier _tier;
    private readonly ConcurrentBag<IShardKernel> _kernels = [];
    private readonly float[] _parameters = new float[ModelShape.ParameterCount];

    /// <summary>
    /// An engine on <paramref name="threads"/> threads; throws <see cref="PlatformNotSupportedException"/> when this
    /// CPU cannot run <paramref name="tier"/>.
    /// </summary>
    public CpuBackend(int threads, InputScaling scaling, CpuKernelTier tier = CpuKernelTier.Best)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _threads = threads;
        _scaling = scaling;
        _tier = CpuKernelTiers.Resolve(tier);
    }

    /// <summary>The concrete tier this engine runs.</summary>
    public CpuKernelTier Tier => _tier;

    /// <inheritdoc/>
    public string DeviceKind => CpuKernelTiers.DeviceKind(_tier);

    internal int Threads => _threads;

    /// <inheritdoc/>
    public void ComputeGradients(
        ReadOnlySpan<float> parameters,
        IReadOnlyList<ShardSamples> shards,
        IReadOnlyList<float[]> gradients,
        Span<ShardStats> stats)
    {
        if (gradients.Count < shards.Count || stats.Length < shards.Count)
        {
            throw new ArgumentException($"{shards.Count} shards need as many gradient buffers and statistics slots");
        }
        var w = LoadParameters(parameters);
        var results = new ShardStats[shards.Count];
        Run(shards.Count, (kernel, i) => results[i] = kernel.ComputeGradient(w, shards[i], gradients[i]));
        results.CopyTo(stats);
    }

    /// <inheritdoc/>
    public void Evaluate(
        ReadOnlySpan<float> parameters,
        ShardSamples samples,
        Span<float> losses,
        Span<byte> predictions)
    {
        var w = LoadParameters(parameters);
        var lossArray = new float[samples.Count];
        var predictionArray = new byte[samples.Count];
        var chunks = (samples.Count + EvaluationChunk - 1) / EvaluationChunk;
        Run(chunks, (kernel, c) =>
        {
            var start = c * EvaluationChunk;
            var count = Math.Min(EvaluationChunk, samples.Count - start);
            kernel.Forward(
                w, samples.Slice(start, count), lossArray.AsSpan(start, count), predictionArray.AsSpan(start, count));
        });
        lossArray.CopyTo(losses);
        predictionArray.CopyTo(predictions);
    }

    /// <summary>Drops the pooled per-thread kernels and their workspaces.</summary>
    public void Dispose() => _kernels.Clear();

    private float[] LoadParameters(ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != ModelShape.ParameterCount)
        {
            throw new ArgumentException(
                $"expected {ModelShape.ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        }
        parameters.CopyTo(_parameters);
        return _parameters;
    }

    private void Run(int items, Action<IShardKernel, int> body)
    {
        if (_threads == 1 || items == 1)
        {
            var kernel = Rent();
            for (var i = 0; i < items; i++)
            {
                body(kernel, i);
            }
            _kernels.Add(kernel);
            return;
        }
        Parallel.For(0, items, new ParallelOptions { MaxDegreeOfParallelism = _threads }, Rent, (i, _, kernel) =>
        {
            body(kernel, i);
            return kernel;
        }, _kernels.Add);
    }

    private IShardKernel Rent() => _kernels.TryTake(out var kernel) ? kernel : _tier switch
    {
        CpuKernelTier.Avx512 => new Avx512ShardKernel(_scaling),
        CpuKernelTier.Avx2 => new Avx2ShardKernel(_scaling),
        _ => new PortableShardKernel(_scaling),
    };
}
