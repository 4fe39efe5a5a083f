using ILGPU;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// The GEMM of <see cref="GemmShape"/>, direct and shared-memory tiled, one or two products a launch
/// (<see cref="GemmPair"/>). Both sum each output over k in ascending order from zero, so they give bit-identical
/// results (the tiles' zero padding adds exact zeros).
/// <para>
/// Tiled layout and blocking: a TxT group computes a TxT block of C (thread x → column n, thread y → row m;
/// grid z = batch, the pair's second product after the first's batches); per step it stages a TxT tile of A and
/// of B in shared memory, zero-padded past the edges, then each thread adds T products. Tile sizes must be compile-time constants, hence one entry point per
/// size: 16 for GPUs, 4 to test the tiled code on ILGPU's CPU simulator (groups of at most 16 threads),
/// where every barrier is an OS-thread rendezvous and the direct kernel is far faster.
/// </para>
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public static class GemmKernels
{
    internal const int LargeTile = 16;
    internal const int SmallTile = 4;

    /// <summary>
    /// One thread per element of C over all batches: i = (batch·M + m)·N + n, the second product's elements after
    /// the first's.
    /// </summary>
    public static void Direct(Index1D index, ArrayView<float> a1, ArrayView<float> b1, ArrayView<float> a2, ArrayView<float> b2, ArrayView<float> c, ArrayView<int> starts, GemmPair p)
    {
        int i = index, firstElements = p.FirstBatches * p.First.M * p.First.N;
        var second = i >= firstElements;
        var g = second ? p.Second : p.First;
        var a = second ? a2 : a1;
        var b = second ? b2 : b1;
        i -= second ? firstElements : 0;
        var mn = g.M * g.N;
        int batch = i / mn, m = (i - batch * mn) / g.N, n = i - batch * mn - m * g.N;
        int kBegin = g.Depth > 0 ? 0 : starts[batch], kEnd = g.Depth > 0 ? g.Depth : starts[batch + 1];
        var acc = 0f;
        for (var k = kBegin; k < kEnd; k++)
        {
            acc += a[g.AOffset + m * g.AStrideM + k * g.AStrideK] * b[g.BOffset + k * g.BStrideK + n * g.BStrideN];
        }
        Store(b, c, g, batch, m, n, acc);
    }

    /// <summary>The tiled GEMM with 16x16 tiles (groups of 256 threads), for GPUs.</summary>
    public static void Tiled16(ArrayView<float> a1, ArrayView<float> b1, ArrayView<float> a2, ArrayView<float> b2, ArrayView<float> c, ArrayView<int> starts, GemmPair p) =>
        Tiled(a1, b1, a2, b2, c, starts, p, SharedMemory.Allocate<float>(LargeTile * LargeTile), SharedMemory.Allocate<float>(LargeTile * LargeTile), LargeTile);

    /// <summary>The tiled GEMM with 4x4 tiles, to test the tiled code on ILGPU's CPU simulator.</summary>
    public static void Tiled4(ArrayView<float> a1, ArrayView<float> b1, ArrayView<float> a2, ArrayView<float> b2, ArrayView<float> c, ArrayView<int> starts, GemmPair p) =>
        Tiled(a1, b1, a2, b2, c, starts, p, SharedMemory.Allocate<float>(SmallTile * SmallTile), SharedMemory.Allocate<float>(SmallTile * SmallTile), SmallTile);

    // A whole group computes the same product (the choice depends on grid z only), so every thread reaches the barriers.
    private static void Tiled(ArrayView<float> a1, ArrayView<float> b1, ArrayView<float> a2, ArrayView<float> b2, ArrayView<float> c, ArrayView<int> starts, GemmPair p, ArrayView<float> tileA, ArrayView<float> tileB, int tile)
    {
        var second = Grid.IdxZ >= p.FirstBatches;
        var g = second ? p.Second : p.First;
        var a = second ? a2 : a1;
        var b = second ? b2 : b1;
        int tx = Group.IdxX, ty = Group.IdxY, batch = Grid.IdxZ - (second ? p.FirstBatches : 0);
        int m = Grid.IdxY * tile + ty, n = Grid.IdxX * tile + tx;
        int kBegin = g.Depth > 0 ? 0 : starts[batch], kEnd = g.Depth > 0 ? g.Depth : starts[batch + 1];
        var acc = 0f;
        for (var k0 = kBegin; k0 < kEnd; k0 += tile)
        {
            int ka = k0 + tx, kb = k0 + ty;
            tileA[ty * tile + tx] = m < g.M && ka < kEnd ? a[g.AOffset + m * g.AStrideM + ka * g.AStrideK] : 0f;
            tileB[ty * tile + tx] = n < g.N && kb < kEnd ? b[g.BOffset + kb * g.BStrideK + n * g.BStrideN] : 0f;
            Group.Barrier();
            for (var kk = 0; kk < tile; kk++)
            {
                acc += tileA[ty * tile + kk] * tileB[kk * tile + tx];
            }
            Group.Barrier();
        }
        if (m < g.M && n < g.N)
        {
            Store(b, c, g, batch, m, n, acc);
        }
    }

    private static void Store(ArrayView<float> b, ArrayView<float> c, GemmShape g, int batch, int m, int n, float acc)
    {
        var value = g.Bias >= 0 ? b[g.Bias + n] + acc : acc;
        c[g.COffset + batch * g.CBatchStride + m * g.CStrideM + n] = g.Relu != 0 && value < 0f ? 0f : value;
    }
}
