namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// A strided matrix product C(m, n) = Σ_k A(m, k)·B(k, n) for <see cref="GemmKernels"/>, with A(m, k) at
/// a[AOffset + m·AStrideM + k·AStrideK] and B(k, n) at b[BOffset + k·BStrideK + n·BStrideN], so one kernel
/// serves fc1 forward (B = W1ᵀ), fc1's input gradient and the fc weight gradients (k = a shard's samples).
/// With <see cref="Depth"/> &gt; 0, k runs over [0, Depth) and there is one batch; with Depth = 0 batch z runs
/// k over the samples [starts[z], starts[z+1]) and writes C at COffset + z·CBatchStride.
/// Epilogue: with <see cref="Bias"/> ≥ 0, C = b[Bias + n] + acc; with <see cref="Relu"/> ≠ 0, C = max(C, 0).
/// </summary>
public readonly struct GemmShape(int m, int n, int depth, int aOffset, int aStrideM, int aStrideK, int bOffset, int bStrideK, int bStrideN, int cOffset, int cStrideM, int cBatchStride, int bias, int relu)
{
    public readonly int M = m;
    public readonly int N = n;
    public readonly int Depth = depth;
    public readonly int AOffset = aOffset;
    public readonly int AStrideM = aStrideM;
    public readonly int AStrideK = aStrideK;
    public readonly int BOffset = bOffset;
    public readonly int BStrideK = bStrideK;
    public readonly int BStrideN = bStrideN;
    public readonly int COffset = cOffset;
    public readonly int CStrideM = cStrideM;
    public readonly int CBatchStride = cBatchStride;
    public readonly int Bias = bias;
    public readonly int Relu = relu;
}
