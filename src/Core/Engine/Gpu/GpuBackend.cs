using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using ILGPU;
using ILGPU.Runtime;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// The network on an ILGPU accelerator (CUDA, OpenCL, or ILGPU's CPU simulator for tests). One call runs all
/// its shards through the same launches: forward kernels over every sample, then per-shard weight-gradient
/// reductions with the shard as a grid dimension. Every reduction has one owner thread summing in a fixed
/// order, so a shard's gradient is bit-identical from run to run on one device kind (docs/determinism.md).
/// <para>
/// Transfers: one copy up, one down. The parameter vector (138 KB) goes up on every call rather than being tracked by
/// version, which costs a few microseconds over PCIe and cannot go stale, in one block with the shard layout and the
/// samples as raw bytes (scaled on the device); the shard gradients are summed along the gradient tree and the shards'
/// statistics made on the device, so only the worker's tree nodes (<see cref="ComputeNodeGradients"/>) and 16 bytes a
/// shard come down.
/// </para>
/// </summary>
public sealed class GpuBackend : ITreeSummingBackend
{
    /// <summary>
    /// Samples per forward batch in <see cref="Evaluate"/>, bounding device memory (about 54 KB per sample).
    /// </summary>
    private const int EvaluationChunk = 4096;

    private readonly Context _context;
    private readonly float _scale;
    private readonly float _offset;
    private readonly GpuKernelSet _kernels;
    private readonly GpuWorkspace _workspace;
    private float[] _gradientStaging = [];
    private float[] _results = [];
    private byte[] _inputStaging = [];

    /// <summary>
    /// Takes ownership of <paramref name="context"/> and <paramref name="accelerator"/>. <paramref name="gemmTile"/>:
    /// 0 for the direct GEMM, 4 or 16 for shared-memory tiles; by default 16 on GPUs and direct elsewhere.
    /// </summary>
    public GpuBackend(
        Context context,
        Accelerator accelerator,
        string deviceKind,
        InputScaling scaling,
        int? gemmTile = null)
    {
        _context = context;
        Accelerator = accelerator;
        DeviceKind = deviceKind;
        (_scale, _offset) = scaling.Affine();
        _kernels = new GpuKernelSet(accelerator, gemmTile ?? GpuKernelSet.DefaultTile(accelerator), Traffic);
        _workspace = new GpuWorkspace(accelerator);
    }

    /// <inheritdoc/>
    public string DeviceKind { get; }

    /// <summary>The launches and copies this backend has asked of its device so far.</summary>
    public GpuTraffic Traffic { get; } = new();

    /// <summary>The side of the shared-memory GEMM tiles in use; 0 for the direct GEMM.</summary>
    public int GemmTile => _kernels.Tile;

    internal Accelerator Accelerator { get; }

    internal GpuKernelSet Kernels => _kernels;

    /// <inheritdoc/>
    public void ComputeGradients(
        ReadOnlySpan<float> parameters,
        IReadOnlyList<ShardSamples> shards,
        IReadOnlyList<float[]> gradients,
        Span<ShardStats> stats)
    {
        if (gradients.Count < shards.Count)
        {
            throw new ArgumentException($"{shards.Count} shards need as many gradient buffers");
        }
        var leaves = Grown(ref _gradientStaging, shards.Count * ModelShape.ParameterCount);
        if (Run(parameters, shards, [], stats))
        {
            Download(_workspace.Gradients.SubView(0, leaves.Length), leaves);
        }
        else
        {
            leaves.Clear();
        }
        for (var i = 0; i < shards.Count; i++)
        {
            leaves.Slice(i * ModelShape.ParameterCount, ModelShape.ParameterCount).CopyTo(gradients[i]);
        }
    }

    /// <inheritdoc/>
    public void ComputeNodeGradients(
        ReadOnlySpan<float> parameters,
        IReadOnlyList<ShardSamples> shards,
        IReadOnlyList<TreeNode> nodes,
        NodeSumDestination destination,
        Span<ShardStats> stats)
    {
        const int P = ModelShape.ParameterCount;
        var ran = Run(parameters, shards, nodes, stats);
        for (var n = 0; n < nodes.Count; n++)
        {
            var sum = destination(n)[..P];
            if (ran)
            {
                _results.AsSpan(n * P, P).CopyTo(sum);
            }
            else
            {
                sum.Clear();
            }
        }
    }

    /// <inheritdoc/>
    public void Evaluate(
        ReadOnlySpan<float> parameters,
        ShardSamples samples,
        Span<float> losses,
        Span<byte> predictions)
    {
        var w = _workspace;
        var weights = CheckedParameters(parameters);
        var chunkPredictions = new int[Math.Min(EvaluationChunk, samples.Count)];
        for (var start = 0; start < samples.Count; start += EvaluationChunk)
        {
            var count = Math.Min(EvaluationChunk, samples.Count - start);
            var chunk = samples.Slice(start, count);
            w.Reserve(count, 1);
            Gathered(weights, [0, count], [chunk], count);
            Forward(count);
            Accelerator.Synchronize();
            Download(w.Losses.SubView(0, count), losses.Slice(start, count));
            Download(w.Predictions.SubView(0, count), chunkPredictions.AsSpan(0, count));
            for (var s = 0; s < count; s++)
            {
                predictions[start + s] = (byte)chunkPredictions[s];
            }
        }
    }

    /// <summary>
    /// One call's work on the device: the weights, the shards' layout and their samples up, the forward and backward
    /// launches, then the tree sums of the shard gradients over <paramref name="nodes"/> and the shards' statistics
    /// (<see cref="GradientTreeKernels"/>), which come down in one copy: the sums into the first nodes · P floats of
    /// <c>_results</c>, the statistics into <paramref name="stats"/>. False when the shards hold no sample (nothing
    /// ran; every gradient is zero).
    /// </summary>
    private bool Run(
        ReadOnlySpan<float> parameters,
        IReadOnlyList<ShardSamples> shards,
        IReadOnlyList<TreeNode> nodes,
        Span<ShardStats> stats)
    {
        if (stats.Length < shards.Count)
        {
            throw new ArgumentException($"{shards.Count} shards need as many statistics slots");
        }
        var layout = ShardLayout(shards, nodes);
        var total = layout[shards.Count];
        if (total == 0)
        {
            stats[..shards.Count].Clear();
            return false;
        }
        var w = _workspace;
        w.Reserve(total, shards.Count);
        Gathered(CheckedParameters(parameters), layout, shards, total);
        Forward(total);
        Backward(total, shards.Count);
        // The statistics follow the sums as two doubles (four floats' bytes) a shard: N·P·4 bytes is a multiple of 8.
        var sums = nodes.Count * ModelShape.ParameterCount;
        _kernels.NodeSumsAndStatistics(
            sums + shards.Count,
            w.Gradients,
            w.Layout,
            shards.Count,
            nodes.Count,
            w.Losses,
            w.Predictions,
            w.Labels,
            w.Results.SubView(0, sums),
            w.Results.SubView(sums, 4 * shards.Count).Cast<double>());
        Accelerator.Synchronize();

        var results = Grown(ref _results, sums + 4 * shards.Count);
        Download(w.Results.SubView(0, results.Length), results);
        var statistics = MemoryMarshal.Cast<float, double>(results[sums..]);
        for (var i = 0; i < shards.Count; i++)
        {
            stats[i] = new ShardStats(statistics[2 * i], (int)statistics[2 * i + 1], shards[i].Count);
        }
        return true;
    }

    /// <summary>
    /// What the kernels learn of a call's shards in one upload: the first sample of each shard and the end of the
    /// last (S + 1 entries), then the first shard of each node and the end of the last.
    /// </summary>
    private static int[] ShardLayout(IReadOnlyList<ShardSamples> shards, IReadOnlyList<TreeNode> nodes)
    {
        var nodeCount = nodes.Count;
        var layout = new int[shards.Count + 1 + (nodeCount == 0 ? 0 : nodeCount + 1)];
        for (var i = 0; i < shards.Count; i++)
        {
            layout[i + 1] = layout[i] + shards[i].Count;
        }
        if (nodeCount == 0)
        {
            return layout;
        }
        var bounds = layout.AsSpan(shards.Count + 1);
        for (var n = 0; n < nodeCount; n++)
        {
            var node = nodes[n];
            if (node.Start != bounds[n] || node.Size <= 0 || !int.IsPow2(node.Size))
            {
                throw new ArgumentException(
                    $"node {node} does not follow shard {bounds[n]} with a power of two of shards", nameof(nodes));
            }
            bounds[n + 1] = node.End;
        }
        if (bounds[nodeCount] != shards.Count)
        {
            throw new ArgumentException($"the nodes cover {bounds[nodeCount]} of {shards.Count} shards", nameof(nodes));
        }
        return layout;
    }

    /// <summary>Frees the device buffers, then the accelerator and the ILGPU context this backend owns.</summary>
    public void Dispose()
    {
        _workspace.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }

    private unsafe void Upload<T>(ArrayView<T> target, ReadOnlySpan<T> source) where T : unmanaged
    {
        Traffic.CopiedToDevice((long)source.Length * sizeof(T));
        target.SubView(0, source.Length).CopyFromCPU(ref MemoryMarshal.GetReference(source), source.Length);
    }

    private unsafe void Download<T>(ArrayView<T> source, Span<T> target) where T : unmanaged
    {
        Traffic.CopiedFromDevice((long)target.Length * sizeof(T));
        source.SubView(0, target.Length).CopyToCPU(ref MemoryMarshal.GetReference(target), target.Length);
    }

    /// <summary>
    /// Sends a call's inputs up in one copy (every copy costs a fixed latency that dwarfs the bytes at these sizes):
    /// the weights, the layout and the shards' pixels and labels, gathered on the host in the order of
    /// <see cref="GpuWorkspace.Arrange"/>.
    /// </summary>
    private void Gathered(
        ReadOnlySpan<float> weights, ReadOnlySpan<int> layout, IReadOnlyList<ShardSamples> shards, int samples)
    {
        var w = _workspace;
        var bytes = w.Arrange(samples, layout.Length);
        if (_inputStaging.Length < bytes)
        {
            _inputStaging = new byte[bytes];
        }
        MemoryMarshal.AsBytes(weights).CopyTo(_inputStaging);
        var at = weights.Length * sizeof(float);
        MemoryMarshal.AsBytes(layout).CopyTo(_inputStaging.AsSpan(at));
        at += layout.Length * sizeof(int);
        var labels = at + samples * ModelShape.Pixels;
        foreach (var shard in shards)
        {
            shard.Pixels.Span.CopyTo(_inputStaging.AsSpan(at));
            shard.Labels.Span.CopyTo(_inputStaging.AsSpan(labels));
            at += shard.Pixels.Length;
            labels += shard.Labels.Length;
        }
        Upload(w.Inputs.SubView(0, bytes), _inputStaging.AsSpan(0, bytes));
    }

    private static Span<float> Grown(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
        return buffer.AsSpan(0, length);
    }

    private static ReadOnlySpan<float> CheckedParameters(ReadOnlySpan<float> parameters) =>
        parameters.Length == ModelShape.ParameterCount
            ? parameters
            : throw new ArgumentException(
                $"expected {ModelShape.ParameterCount} parameters, got {parameters.Length}", nameof(parameters));

    /// <summary>
    /// The input scaled, conv1 + pool1, conv2 + pool2, fc1 (GEMM), then fc2 + softmax + cross-entropy with fc2's input
    /// gradient, over n samples: 5 launches.
    /// </summary>
    private void Forward(int n)
    {
        var w = _workspace;
        var k = _kernels;
        k.ScaleInput(n * ModelShape.Pixels, w.Pixels, w.Input, _scale, _offset);
        k.ConvPoolForward(n * PoolShape.Pool1.OutputStride, w.Weights, w.Input, w.Pool1, w.ArgMax1, ConvShape.Conv1);
        k.ConvPoolForward(n * PoolShape.Pool2.OutputStride, w.Weights, w.Pool1, w.Pool2, w.ArgMax2, ConvShape.Conv2);
        k.Gemm(w.Pool2, w.Weights, w.Hidden, w.Layout, GemmPlans.Fc1Forward(n), 1);
        k.OutputLayer(n, w.Weights, w.Hidden, w.Labels, w.LogitGradient, w.Losses, w.Predictions, w.HiddenGradient);
    }

    /// <summary>
    /// The rest of the activation gradients over all samples, and each shard's parameter gradients (shard = grid
    /// dimension): 6 launches.
    /// </summary>
    private void Backward(int n, int shards)
    {
        var w = _workspace;
        var k = _kernels;
        k.Gemms(
            w.LogitGradient,
            w.Hidden,
            GemmPlans.Fc2WeightGradient,
            w.HiddenGradient,
            w.Pool2,
            GemmPlans.Fc1WeightGradient,
            w.Gradients,
            w.Layout,
            shards);
        k.Gemm(w.HiddenGradient, w.Weights, w.Pool2Gradient, w.Layout, GemmPlans.Fc1InputGradient(n), 1);
        k.Unpool(
            n * PoolShape.Pool2.InputStride, w.Pool2Gradient, w.ArgMax2, w.Pool2, w.Conv2Gradient, PoolShape.Pool2);
        k.ConvWeightGradient(
            shards * ConvShape.Conv2.Taps, w.Pool1, w.Conv2Gradient, w.Layout, w.Gradients, ConvShape.Conv2);
        k.UnpooledInputGradient(
            n * PoolShape.Pool1.InputStride,
            w.Weights,
            w.Conv2Gradient,
            w.ArgMax1,
            w.Pool1,
            w.Conv1Gradient,
            ConvShape.Conv2,
            PoolShape.Pool1);
        // conv1's weight gradient and the four layers' bias gradients in one launch, once every upstream gradient is
        // there.
        var conv1Threads = shards * ConvShape.Conv1.Taps;
        k.Conv1WeightAndBiasGradients(
            conv1Threads + shards * GradientReductionKernels.BiasesPerShard,
            w.Input,
            w.LogitGradient,
            w.HiddenGradient,
            w.Conv2Gradient,
            w.Conv1Gradient,
            w.Layout,
            w.Gradients,
            ConvShape.Conv1,
            conv1Threads);
    }
}
