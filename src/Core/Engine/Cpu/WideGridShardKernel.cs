using CnnDistributed.Core.Model;
using static CnnDistributed.Core.Engine.Cpu.ShardLayout;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// What the vectorised kernels (<see cref="Avx512ShardKernel"/>, <see cref="Avx2ShardKernel"/>) share: the order of a
/// shard's passes, and its workspace in the <see cref="ShardLayout"/> layouts (conv1 on the 28-wide grid, a conv2
/// im2col matrix per sample): per-sample buffers grown to the largest shard seen, and per-sample scratch. Each kernel
/// supplies the layers for its vector width. One instance per thread.
/// </summary>
internal abstract class WideGridShardKernel : IShardKernel
{
    protected readonly float _scale;
    protected readonly float _offset;
    private int _capacity;

    // Per-sample buffers of the shard (index s · size).
    protected float[] _x = [];
    protected float[] _p1 = [];
    protected int[] _arg1 = [];
    protected float[] _col = [];
    protected float[] _p2 = [];
    protected int[] _arg2 = [];
    protected float[] _dp2 = [];
    protected float[] _da2 = [];
    protected float[] _da1 = [];

    // Per-sample scratch.
    protected readonly float[] _a1 = new float[C1 * A1Stride];
    protected readonly float[] _a2 = new float[A2Size];
    protected readonly float[] _dcol = new float[ColSize];
    protected readonly float[] _dp1 = new float[P1Stride];

    protected WideGridShardKernel(InputScaling scaling) => (_scale, _offset) = scaling.Affine();

    /// <summary>Forward pass of the samples; fills per-sample losses and predictions, returns the shard's statistics.</summary>
    public ShardStats Forward(float[] w, ShardSamples samples, Span<float> losses, Span<byte> predictions)
    {
        var n = samples.Count;
        EnsureCapacity(n);
        var pixels = samples.Pixels.Span;
        for (var s = 0; s < n; s++)
        {
            LoadImage(pixels.Slice(s * ModelShape.Pixels, ModelShape.Pixels), s);
            Conv1Forward(w, s);
            Pool1Forward(s);
            Conv2Im2Col.Fill(ref _p1[s * P1Stride], ref _col[s * ColSize]);
            Conv2Forward(w, s);
            Pool2Forward(s);
        }
        return DenseForward(w, n, samples.Labels.Span, losses, predictions);
    }

    /// <summary>Sum over the shard of the per-sample gradients of the cross-entropy, written into <paramref name="g"/>.</summary>
    public ShardStats ComputeGradient(float[] w, ShardSamples samples, float[] g)
    {
        var n = samples.Count;
        if (n == 0)
        {
            Array.Clear(g);
            return default;
        }
        var stats = Forward(w, samples, [], []);
        DenseBackward(w, g, n);
        for (var s = 0; s < n; s++)
        {
            Pool2Backward(s);
            Conv2InputGradient(w, s);
            Col2Im();
            Pool1Backward(s);
        }
        Conv2WeightGradient(g, n);
        Conv1WeightGradient(g, n);
        return stats;
    }

    /// <summary>Called when the shard outgrows the buffers, after they were grown to <paramref name="n"/> samples.</summary>
    protected virtual void GrowDenseBuffers(int n)
    {
    }

    /// <summary>Sample <paramref name="s"/>'s pixels, scaled, into <c>_x</c>.</summary>
    protected abstract void LoadImage(ReadOnlySpan<byte> pixels, int s);

    protected abstract void Conv1Forward(float[] w, int s);

    protected abstract void Pool1Forward(int s);

    protected abstract void Conv2Forward(float[] w, int s);

    protected abstract void Pool2Forward(int s);

    /// <summary>fc1, fc2 and the softmax cross-entropy over all <paramref name="n"/> samples of <c>_p2</c>.</summary>
    protected abstract ShardStats DenseForward(float[] w, int n, ReadOnlySpan<byte> labels, Span<float> losses, Span<byte> predictions);

    /// <summary>The dense layers' weight gradients into <paramref name="g"/>, and each sample's gradient into <c>_dp2</c>.</summary>
    protected abstract void DenseBackward(float[] w, float[] g, int n);

    protected abstract void Pool2Backward(int s);

    protected abstract void Conv2InputGradient(float[] w, int s);

    protected abstract void Col2Im();

    protected abstract void Pool1Backward(int s);

    protected abstract void Conv2WeightGradient(float[] g, int n);

    protected abstract void Conv1WeightGradient(float[] g, int n);

    private void EnsureCapacity(int n)
    {
        if (n <= _capacity)
        {
            return;
        }
        _capacity = n;
        _x = new float[n * XStride];
        _p1 = new float[n * P1Stride];
        _arg1 = new int[n * P1Stride];
        _col = new float[n * ColSize];
        _p2 = new float[n * F];
        _arg2 = new int[n * F];
        _dp2 = new float[n * F];
        _da2 = new float[n * A2Size];
        _da1 = new float[n * C1 * A1Stride];
        GrowDenseBuffers(n);
    }
}
