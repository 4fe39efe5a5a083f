namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// A strided matrix product C(m, n) = Σ_k A(m, k)·B(k, n) for <see cref="GemmKernels"/>, with A(m, k) at
/// a[AOffset + m·AStrideM + k·AStrideK] and B(k, n) at b[BOffset + k·BStrideK + n·BStrideN], so one kernel
/// serves fc1 forward (B = W1ᵀ), fc1's input gradient and the fc weight gradients (k = a shard's samples).
/// With <see cref="Depth"/> &gt; 0, k runs over [0, Depth) and there is one batch; with Depth = 0 batch z runs
/// k over the samples [starts[z], starts[z+1]) and writes C at COffset + z·CBatchStride.
/// Epilogue: with <see cref="Bias"/> ≥ 0, C = b[Bias + n] + acc; with <see cref="Relu"/> ≠ 0, C = max(C, 0).
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public readonly struct GemmShape(
    int m,
    int n,
    int depth,
    int aOffset,
    int aStrideM,
    int aStrideK,
    int bOffset,
    int bStrideK,
    int bStrideN,
    int cOffset,
    int cStrideM,
    int cBatchStride,
    int bias,
    int relu)
{
    /// <summary>Rows of C.</summary>
    public readonly int M = m;

    /// <summary>Columns of C.</summary>
    public readonly int N = n;

    /// <summary>The length of the k sum, or 0 to sum each batch over its shard's samples.</summary>
    public readonly int Depth = depth;

    /// <summary>Where A(0, 0) sits in a.</summary>
    public readonly int AOffset = aOffset;

    /// <summary>Step in a from one row m of A to the next.</summary>
    public readonly int AStrideM = aStrideM;

    /// <summary>Step in a from one k of A to the next.</summary>
    public readonly int AStrideK = aStrideK;

    /// <summary>Where B(0, 0) sits in b.</summary>
    public readonly int BOffset = bOffset;

    /// <summary>Step in b from one k of B to the next.</summary>
    public readonly int BStrideK = bStrideK;

    /// <summary>Step in b from one column n of B to the next.</summary>
    public readonly int BStrideN = bStrideN;

    /// <summary>Where C(0, 0) of batch 0 sits in c; C's columns are contiguous.</summary>
    public readonly int COffset = cOffset;

    /// <summary>Step in c from one row m of C to the next.</summary>
    public readonly int CStrideM = cStrideM;

    /// <summary>Step in c from one batch (shard) to the next.</summary>
    public readonly int CBatchStride = cBatchStride;

    /// <summary>Where the bias vector added to each row of C sits in b; negative for none.</summary>
    public readonly int Bias = bias;

    /// <summary>Non-zero to clamp C at 0 (ReLU) after the bias.</summary>
    public readonly int Relu = relu;
}
