using CnnDistributed.Core.Model;
using ILGPU;
using ILGPU.Runtime;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// Device buffers of a <see cref="GpuBackend"/>: the weights, one call's samples, the activations and activation
/// gradients per sample that the kernels hand on (NCHW blocks, one sample after another; the convolutions' own outputs
/// are pooled without being stored), one gradient vector per shard, and the results that come down: the tree nodes'
/// sums of them (at most one node per shard) and each shard's statistics. Buffers grow to the largest call seen and are
/// reused.
/// </summary>
internal sealed class GpuWorkspace(Accelerator accelerator) : IDisposable
{
    private const int WeightBytes = ModelShape.ParameterCount * sizeof(float);

    private readonly List<MemoryBuffer> _buffers = [];
    private int _samples = -1;
    private int _shards = -1;

    /// <summary>
    /// What goes up, in one copy: the weights, the shard layout, the samples' pixels and their labels, one after
    /// another; <see cref="Arrange"/> points the four views below into it for a call.
    /// </summary>
    public ArrayView<byte> Inputs { get; private set; }
    public ArrayView<float> Weights { get; private set; }
    public ArrayView<byte> Pixels { get; private set; }
    public ArrayView<byte> Labels { get; private set; }
    public ArrayView<float> Input { get; private set; }
    public ArrayView<float> Pool1 { get; private set; }
    public ArrayView<int> ArgMax1 { get; private set; }
    public ArrayView<float> Pool2 { get; private set; }
    public ArrayView<int> ArgMax2 { get; private set; }
    public ArrayView<float> Hidden { get; private set; }
    public ArrayView<float> LogitGradient { get; private set; }
    public ArrayView<float> Losses { get; private set; }
    public ArrayView<int> Predictions { get; private set; }
    public ArrayView<float> HiddenGradient { get; private set; }
    public ArrayView<float> Pool2Gradient { get; private set; }
    public ArrayView<float> Conv2Gradient { get; private set; }
    public ArrayView<float> Conv1Gradient { get; private set; }
    /// <summary>
    /// Each shard's first sample and the end of the last, then each node's first shard and the end of the last.
    /// </summary>
    public ArrayView<int> Layout { get; private set; }
    public ArrayView<float> Gradients { get; private set; }
    /// <summary>What comes down: the nodes' sums, then four floats' bytes of statistics a shard.</summary>
    public ArrayView<float> Results { get; private set; }

    /// <summary>Makes room for <paramref name="samples"/> samples in <paramref name="shards"/> shards.</summary>
    public void Reserve(int samples, int shards)
    {
        if (samples <= _samples && shards <= _shards)
        {
            return;
        }
        Release();
        _samples = Math.Max(samples, _samples);
        _shards = Math.Max(shards, _shards);
        var n = Math.Max(_samples, 1);
        Inputs = Allocate<byte>(WeightBytes + 4 * LayoutEntries(_shards) + (long)n * (ModelShape.Pixels + 1));
        Input = Allocate<float>(n * ModelShape.Pixels);
        Pool1 = Allocate<float>(n * PoolShape.Pool1.OutputStride);
        ArgMax1 = Allocate<int>(n * PoolShape.Pool1.OutputStride);
        Pool2 = Allocate<float>(n * PoolShape.Pool2.OutputStride);
        ArgMax2 = Allocate<int>(n * PoolShape.Pool2.OutputStride);
        Hidden = Allocate<float>(n * ModelShape.Hidden);
        LogitGradient = Allocate<float>(n * ModelShape.Classes);
        Losses = Allocate<float>(n);
        Predictions = Allocate<int>(n);
        HiddenGradient = Allocate<float>(n * ModelShape.Hidden);
        Pool2Gradient = Allocate<float>(n * ModelShape.Flattened);
        Conv2Gradient = Allocate<float>(n * ConvShape.Conv2.OutputStride);
        Conv1Gradient = Allocate<float>(n * ConvShape.Conv1.OutputStride);
        Gradients = Allocate<float>((long)Math.Max(_shards, 1) * ModelShape.ParameterCount);
        Results = Allocate<float>((long)Math.Max(_shards, 1) * (ModelShape.ParameterCount + 4));
    }

    /// <summary>
    /// Points <see cref="Weights"/>, <see cref="Layout"/> (<paramref name="layoutEntries"/> ints), <see cref="Pixels"/>
    /// and <see cref="Labels"/> (<paramref name="samples"/> each) one after another into <see cref="Inputs"/>; returns
    /// the bytes they take. The layout starts at the weights' end, a multiple of 4 bytes.
    /// </summary>
    public int Arrange(int samples, int layoutEntries)
    {
        var layoutBytes = 4 * layoutEntries;
        var pixelBytes = samples * ModelShape.Pixels;
        Weights = Inputs.SubView(0, WeightBytes).Cast<float>();
        Layout = Inputs.SubView(WeightBytes, layoutBytes).Cast<int>();
        Pixels = Inputs.SubView(WeightBytes + layoutBytes, pixelBytes);
        Labels = Inputs.SubView(WeightBytes + layoutBytes + pixelBytes, samples);
        return WeightBytes + layoutBytes + pixelBytes + samples;
    }

    /// <summary>
    /// The most layout entries a call of <paramref name="shards"/> shards has: shards + 1, then nodes + 1.
    /// </summary>
    private static int LayoutEntries(int shards) => 2 * (Math.Max(shards, 1) + 1);

    public void Dispose() => Release();

    private ArrayView<T> Allocate<T>(long length) where T : unmanaged
    {
        var buffer = accelerator.Allocate1D<T>(length);
        _buffers.Add(buffer);
        return buffer.View;
    }

    private void Release()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }
        _buffers.Clear();
    }
}
