using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CnnDistributed.Core.Model;
using static CnnDistributed.Core.Engine.Cpu.ShardLayout;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// Forward and backward passes of one shard with AVX2 and FMA (256-bit vectors, 16 registers), on one thread;
/// one instance per thread (it owns its workspace). Every reduction runs in a fixed order that depends only on
/// the shard's samples, so a shard's gradient is bit-identical whichever thread or process computes it. The
/// kernel uses only explicit 256-bit operations and scalar math (no width-adaptive helpers such as
/// TensorPrimitives), so an AVX-512 CPU running this tier gets the same bits as an AVX2-only one.
/// <para>
/// Pass order, workspace and layouts are those of <see cref="WideGridShardKernel"/>, shared with <see cref="Avx512ShardKernel"/>: conv1 on the 28-wide grid (positions x ≥ 24 are
/// garbage that pooling never reads, with zero gradient), a [150 taps][64 positions] im2col matrix per sample
/// for conv2, and the fully connected head (<see cref="Avx2DenseLayers"/>) over all of the shard's samples at
/// once. Register tiles are re-blocked for 16 ymm registers: 8 to 12 independent accumulators per tile (two
/// FMA pipes of latency 4) plus the operands they share, so no tile spills.
/// </para>
/// </summary>
internal sealed class Avx2ShardKernel : WideGridShardKernel
{
    private readonly Avx2DenseLayers _dense = new();

    public Avx2ShardKernel(InputScaling scaling)
        : base(scaling)
    {
    }

    protected override ShardStats DenseForward(float[] w, int n, ReadOnlySpan<byte> labels, Span<float> losses, Span<byte> predictions) =>
        _dense.Forward(w, _p2, n, labels, losses, predictions);

    protected override void DenseBackward(float[] w, float[] g, int n) => _dense.Backward(w, g, _p2, _dp2, n);

    // Pixels to floats 8 at a time (zero-extend bytes to int32, convert); multiply and add stay separate roundings.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void LoadImage(ReadOnlySpan<byte> pixels, int s)
    {
        ref var source = ref MemoryMarshal.GetReference(pixels);
        ref var x = ref _x[s * XStride];
        var scale = Vector256.Create(_scale);
        var offset = Vector256.Create(_offset);
        for (nuint i = 0; i < ModelShape.Pixels; i += 8)
        {
            var bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, i))).AsByte();
            var v = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(bytes));
            Avx.Add(Avx.Multiply(v, scale), offset).StoreUnsafe(ref x, i);
        }
        _x.AsSpan(s * XStride + ModelShape.Pixels, XStride - ModelShape.Pixels).Clear();
    }

    // conv1 over the wide grid: 2 groups of 3 output channels by blocks of 32 positions (4 vectors). Per tap the
    // group's 3 weights are broadcast once and each of the 4 inputs at offset ky·28+kx is loaded once for 3 FMAs:
    // 12 accumulators + 3 weights + 1 input fill the 16 registers. Accumulators start at the bias; ReLU on store.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv1Forward(float[] w, int s)
    {
        ref var x = ref _x[s * XStride];
        ref var a1 = ref _a1[0];
        ref var wt = ref w[ModelShape.Conv1Weight];
        ref var bias = ref w[ModelShape.Conv1Bias];
        for (var g = 0; g < C1; g += 3)
        {
            for (var p = 0; p < A1Stride; p += 32)
            {
                var b0 = Vector256.Create(Unsafe.Add(ref bias, g));
                var b1 = Vector256.Create(Unsafe.Add(ref bias, g + 1));
                var b2 = Vector256.Create(Unsafe.Add(ref bias, g + 2));
                Vector256<float> a00 = b0, a01 = b0, a02 = b0, a03 = b0;
                Vector256<float> a10 = b1, a11 = b1, a12 = b1, a13 = b1;
                Vector256<float> a20 = b2, a21 = b2, a22 = b2, a23 = b2;
                for (var ky = 0; ky < K; ky++)
                {
                    for (var kx = 0; kx < K; kx++)
                    {
                        var off = (nuint)(p + ky * InSide + kx);
                        var t = ky * K + kx;
                        var w0 = Vector256.Create(Unsafe.Add(ref wt, g * Taps1 + t));
                        var w1 = Vector256.Create(Unsafe.Add(ref wt, (g + 1) * Taps1 + t));
                        var w2 = Vector256.Create(Unsafe.Add(ref wt, (g + 2) * Taps1 + t));
                        var x0 = Vector256.LoadUnsafe(ref x, off);
                        a00 = Fma.MultiplyAdd(x0, w0, a00); a10 = Fma.MultiplyAdd(x0, w1, a10); a20 = Fma.MultiplyAdd(x0, w2, a20);
                        var x1 = Vector256.LoadUnsafe(ref x, off + 8);
                        a01 = Fma.MultiplyAdd(x1, w0, a01); a11 = Fma.MultiplyAdd(x1, w1, a11); a21 = Fma.MultiplyAdd(x1, w2, a21);
                        var x2 = Vector256.LoadUnsafe(ref x, off + 16);
                        a02 = Fma.MultiplyAdd(x2, w0, a02); a12 = Fma.MultiplyAdd(x2, w1, a12); a22 = Fma.MultiplyAdd(x2, w2, a22);
                        var x3 = Vector256.LoadUnsafe(ref x, off + 24);
                        a03 = Fma.MultiplyAdd(x3, w0, a03); a13 = Fma.MultiplyAdd(x3, w1, a13); a23 = Fma.MultiplyAdd(x3, w2, a23);
                    }
                }
                var zero = Vector256<float>.Zero;
                var o0 = (nuint)(g * A1Stride + p);
                var o1 = o0 + A1Stride;
                var o2 = o1 + A1Stride;
                Avx.Max(a00, zero).StoreUnsafe(ref a1, o0); Avx.Max(a01, zero).StoreUnsafe(ref a1, o0 + 8);
                Avx.Max(a02, zero).StoreUnsafe(ref a1, o0 + 16); Avx.Max(a03, zero).StoreUnsafe(ref a1, o0 + 24);
                Avx.Max(a10, zero).StoreUnsafe(ref a1, o1); Avx.Max(a11, zero).StoreUnsafe(ref a1, o1 + 8);
                Avx.Max(a12, zero).StoreUnsafe(ref a1, o1 + 16); Avx.Max(a13, zero).StoreUnsafe(ref a1, o1 + 24);
                Avx.Max(a20, zero).StoreUnsafe(ref a1, o2); Avx.Max(a21, zero).StoreUnsafe(ref a1, o2 + 8);
                Avx.Max(a22, zero).StoreUnsafe(ref a1, o2 + 16); Avx.Max(a23, zero).StoreUnsafe(ref a1, o2 + 24);
            }
        }
    }

    // 2x2 max-pool of the wide conv1 output, one pooled row (12 outputs) at a time in two vectors of 8 windows:
    // input values 0–15 and 16–31 of the row pair (24–31 are garbage, feeding only windows 12–15). A row's two
    // stores cover 16 outputs; the 4 past the row are overwritten by the next row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Pool1Forward(int s)
    {
        ref var a1 = ref _a1[0];
        ref var p1 = ref _p1[s * P1Stride];
        ref var arg = ref _arg1[s * P1Stride];
        for (var c = 0; c < C1; c++)
        {
            for (var y = 0; y < P1Side; y++)
            {
                var top = (nuint)(c * A1Stride + 2 * y * InSide);
                var bottom = top + InSide;
                var o = (nuint)(c * P1Side * P1Side + y * P1Side);
                var (value, code) = Avx2Pooling.Max(
                    Vector256.LoadUnsafe(ref a1, top), Vector256.LoadUnsafe(ref a1, top + 8),
                    Vector256.LoadUnsafe(ref a1, bottom), Vector256.LoadUnsafe(ref a1, bottom + 8));
                value.StoreUnsafe(ref p1, o);
                code.StoreUnsafe(ref arg, o);
                (value, code) = Avx2Pooling.Max(
                    Vector256.LoadUnsafe(ref a1, top + 16), Vector256.LoadUnsafe(ref a1, top + 24),
                    Vector256.LoadUnsafe(ref a1, bottom + 16), Vector256.LoadUnsafe(ref a1, bottom + 24));
                value.StoreUnsafe(ref p1, o + 8);
                code.StoreUnsafe(ref arg, o + 8);
            }
        }
    }

    // conv2 as GEMM: A2[16x64] = W2[16x150] · Col[150x64] in tiles of 4 channels by 16 positions (2 vectors): per
    // tap 2 column loads and 4 weight broadcasts feed 8 FMAs (8 accumulators + 2 columns + 1 weight). Position
    // blocks are the outer loop so a block's 150 by 16 column values stay in L1 while the 4 channel groups reuse them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv2Forward(float[] w, int s)
    {
        ref var col = ref _col[s * ColSize];
        ref var wt = ref w[ModelShape.Conv2Weight];
        ref var bias = ref w[ModelShape.Conv2Bias];
        ref var a2 = ref _a2[0];
        for (var p = 0; p < 64; p += 16)
        {
            for (var oc = 0; oc < C2; oc += 4)
            {
                var b0 = Vector256.Create(Unsafe.Add(ref bias, oc));
                var b1 = Vector256.Create(Unsafe.Add(ref bias, oc + 1));
                var b2 = Vector256.Create(Unsafe.Add(ref bias, oc + 2));
                var b3 = Vector256.Create(Unsafe.Add(ref bias, oc + 3));
                Vector256<float> a00 = b0, a01 = b0, a10 = b1, a11 = b1, a20 = b2, a21 = b2, a30 = b3, a31 = b3;
                ref var w0 = ref Unsafe.Add(ref wt, oc * Taps2);
                for (var t = 0; t < Taps2; t++)
                {
                    var r = (nuint)(t * 64 + p);
                    var c0 = Vector256.LoadUnsafe(ref col, r);
                    var c1 = Vector256.LoadUnsafe(ref col, r + 8);
                    var wv = Vector256.Create(Unsafe.Add(ref w0, t));
                    a00 = Fma.MultiplyAdd(c0, wv, a00); a01 = Fma.MultiplyAdd(c1, wv, a01);
                    wv = Vector256.Create(Unsafe.Add(ref w0, Taps2 + t));
                    a10 = Fma.MultiplyAdd(c0, wv, a10); a11 = Fma.MultiplyAdd(c1, wv, a11);
                    wv = Vector256.Create(Unsafe.Add(ref w0, 2 * Taps2 + t));
                    a20 = Fma.MultiplyAdd(c0, wv, a20); a21 = Fma.MultiplyAdd(c1, wv, a21);
                    wv = Vector256.Create(Unsafe.Add(ref w0, 3 * Taps2 + t));
                    a30 = Fma.MultiplyAdd(c0, wv, a30); a31 = Fma.MultiplyAdd(c1, wv, a31);
                }
                var zero = Vector256<float>.Zero;
                var o = (nuint)(oc * 64 + p);
                Avx.Max(a00, zero).StoreUnsafe(ref a2, o); Avx.Max(a01, zero).StoreUnsafe(ref a2, o + 8);
                Avx.Max(a10, zero).StoreUnsafe(ref a2, o + 64); Avx.Max(a11, zero).StoreUnsafe(ref a2, o + 72);
                Avx.Max(a20, zero).StoreUnsafe(ref a2, o + 128); Avx.Max(a21, zero).StoreUnsafe(ref a2, o + 136);
                Avx.Max(a30, zero).StoreUnsafe(ref a2, o + 192); Avx.Max(a31, zero).StoreUnsafe(ref a2, o + 200);
            }
        }
    }

    // 2x2 max-pool of conv2's 8x8 maps (one row per vector) into the flattened 256-vector (index c·16 + y·4 + x,
    // as PyTorch's view): rows 4h and 4h+2 side by side are the top rows of pooled rows 2h and 2h+1, rows 4h+1
    // and 4h+3 their bottom rows, so one call pools 8 outputs in flattened order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Pool2Forward(int s)
    {
        ref var a2 = ref _a2[0];
        ref var p2 = ref _p2[s * F];
        ref var arg = ref _arg2[s * F];
        for (var c = 0; c < C2; c++)
        {
            for (var half = 0; half < 2; half++)
            {
                var src = (nuint)(c * 64 + half * 32);
                var (value, code) = Avx2Pooling.Max(
                    Vector256.LoadUnsafe(ref a2, src), Vector256.LoadUnsafe(ref a2, src + 16),
                    Vector256.LoadUnsafe(ref a2, src + 8), Vector256.LoadUnsafe(ref a2, src + 24));
                var o = (nuint)(c * 16 + half * 8);
                value.StoreUnsafe(ref p2, o);
                code.StoreUnsafe(ref arg, o);
            }
        }
    }

    // Max-pool backward of conv2: each output's gradient (masked by ReLU: a pooled value ≤ 0 had none) goes to
    // its arg-max; 8 outputs at a time fill four whole 8-wide rows, so every element of dA2 is written.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Pool2Backward(int s)
    {
        ref var da2 = ref _da2[s * A2Size];
        ref var p2 = ref _p2[s * F];
        ref var dp2 = ref _dp2[s * F];
        ref var arg = ref _arg2[s * F];
        for (var c = 0; c < C2; c++)
        {
            for (var half = 0; half < 2; half++)
            {
                var i = (nuint)(c * 16 + half * 8);
                var live = Vector256.GreaterThan(Vector256.LoadUnsafe(ref p2, i), Vector256<float>.Zero);
                var (topLow, topHigh, bottomLow, bottomHigh) = Avx2Pooling.Spread(Vector256.LoadUnsafe(ref dp2, i) & live, Vector256.LoadUnsafe(ref arg, i));
                var dst = (nuint)(c * 64 + half * 32);
                topLow.StoreUnsafe(ref da2, dst);
                bottomLow.StoreUnsafe(ref da2, dst + 8);
                topHigh.StoreUnsafe(ref da2, dst + 16);
                bottomHigh.StoreUnsafe(ref da2, dst + 24);
            }
        }
    }

    // dCol[150x64] = W2ᵀ · dA2 in tiles of 6 taps by 16 positions: per output channel 2 gradient loads and 6
    // weight broadcasts feed 12 FMAs (12 accumulators + 2 gradients + 1 weight).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv2InputGradient(float[] w, int s)
    {
        ref var da2 = ref _da2[s * A2Size];
        ref var wt = ref w[ModelShape.Conv2Weight];
        ref var dcol = ref _dcol[0];
        for (var t = 0; t < Taps2; t += 6)
        {
            for (nuint p = 0; p < 64; p += 16)
            {
                Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
                Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
                for (var oc = 0; oc < C2; oc++)
                {
                    var r = (nuint)(oc * 64) + p;
                    var d0 = Vector256.LoadUnsafe(ref da2, r);
                    var d1 = Vector256.LoadUnsafe(ref da2, r + 8);
                    ref var wr = ref Unsafe.Add(ref wt, oc * Taps2 + t);
                    var wv = Vector256.Create(wr);
                    a00 = Fma.MultiplyAdd(d0, wv, a00); a01 = Fma.MultiplyAdd(d1, wv, a01);
                    wv = Vector256.Create(Unsafe.Add(ref wr, 1));
                    a10 = Fma.MultiplyAdd(d0, wv, a10); a11 = Fma.MultiplyAdd(d1, wv, a11);
                    wv = Vector256.Create(Unsafe.Add(ref wr, 2));
                    a20 = Fma.MultiplyAdd(d0, wv, a20); a21 = Fma.MultiplyAdd(d1, wv, a21);
                    wv = Vector256.Create(Unsafe.Add(ref wr, 3));
                    a30 = Fma.MultiplyAdd(d0, wv, a30); a31 = Fma.MultiplyAdd(d1, wv, a31);
                    wv = Vector256.Create(Unsafe.Add(ref wr, 4));
                    a40 = Fma.MultiplyAdd(d0, wv, a40); a41 = Fma.MultiplyAdd(d1, wv, a41);
                    wv = Vector256.Create(Unsafe.Add(ref wr, 5));
                    a50 = Fma.MultiplyAdd(d0, wv, a50); a51 = Fma.MultiplyAdd(d1, wv, a51);
                }
                var o = (nuint)(t * 64) + p;
                a00.StoreUnsafe(ref dcol, o); a01.StoreUnsafe(ref dcol, o + 8);
                a10.StoreUnsafe(ref dcol, o + 64); a11.StoreUnsafe(ref dcol, o + 72);
                a20.StoreUnsafe(ref dcol, o + 128); a21.StoreUnsafe(ref dcol, o + 136);
                a30.StoreUnsafe(ref dcol, o + 192); a31.StoreUnsafe(ref dcol, o + 200);
                a40.StoreUnsafe(ref dcol, o + 256); a41.StoreUnsafe(ref dcol, o + 264);
                a50.StoreUnsafe(ref dcol, o + 320); a51.StoreUnsafe(ref dcol, o + 328);
            }
        }
    }

    // col2im: dP1[c, y, x] = Σ over taps (ky, kx) of dCol[(c, ky, kx), y − ky, x − kx]. For each channel and column
    // shift kx, each of the 12 pool1 rows sums its (at most 5) window rows in a register, ky ascending, and is
    // added to memory once. Shifts are the outer loop, so a row is read back only long after its last store at
    // another shift (a partly overlapping store still in flight would stall the load).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Col2Im()
    {
        Array.Clear(_dp1);
        ref var dp1 = ref _dp1[0];
        ref var dcol = ref _dcol[0];
        for (var c = 0; c < C1; c++)
        {
            for (var kx = 0; kx < K; kx++)
            {
                var taps = (nuint)((c * K * K + kx) * 64);
                for (var row = 0; row < P1Side; row++)
                {
                    var sum = Vector256<float>.Zero;
                    for (int ky = Math.Max(0, row - 7), last = Math.Min(K - 1, row); ky <= last; ky++)
                    {
                        sum += Vector256.LoadUnsafe(ref dcol, taps + (nuint)(ky * K * 64 + (row - ky) * 8));
                    }
                    var target = (nuint)(c * P1Side * P1Side + row * P1Side + kx);
                    (Vector256.LoadUnsafe(ref dp1, target) + sum).StoreUnsafe(ref dp1, target);
                }
            }
        }
    }

    // Max-pool backward into the wide conv1 gradient, a pooled row at a time in two vectors of 8 windows: each
    // window's gradient (masked by ReLU, and to the row's 12 valid windows) is spread by arg-max code over input
    // values 0–15 and 16–31 of the row pair. The top row's stores run 4 values into the bottom row and are
    // overwritten by it; the bottom row's by the next row pair. Positions past the last row are never written
    // and stay zero.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Pool1Backward(int s)
    {
        ref var da1 = ref _da1[s * C1 * A1Stride];
        ref var p1 = ref _p1[s * P1Stride];
        ref var arg = ref _arg1[s * P1Stride];
        ref var dp1 = ref _dp1[0];
        var zero = Vector256<float>.Zero;
        var firstFour = Vector256.Create(-1, -1, -1, -1, 0, 0, 0, 0).AsSingle(); // the valid windows 8–11 of the second vector
        for (var c = 0; c < C1; c++)
        {
            for (var y = 0; y < P1Side; y++)
            {
                var i = (nuint)(c * P1Side * P1Side + y * P1Side);
                var live0 = Vector256.GreaterThan(Vector256.LoadUnsafe(ref p1, i), zero);
                var live1 = Vector256.GreaterThan(Vector256.LoadUnsafe(ref p1, i + 8), zero) & firstFour;
                var (t0, t1, b0, b1) = Avx2Pooling.Spread(Vector256.LoadUnsafe(ref dp1, i) & live0, Vector256.LoadUnsafe(ref arg, i));
                var (t2, t3, b2, b3) = Avx2Pooling.Spread(Vector256.LoadUnsafe(ref dp1, i + 8) & live1, Vector256.LoadUnsafe(ref arg, i + 8));
                var top = (nuint)(c * A1Stride + 2 * y * InSide);
                var bottom = top + InSide;
                t0.StoreUnsafe(ref da1, top); t1.StoreUnsafe(ref da1, top + 8); t2.StoreUnsafe(ref da1, top + 16); t3.StoreUnsafe(ref da1, top + 24);
                b0.StoreUnsafe(ref da1, bottom); b1.StoreUnsafe(ref da1, bottom + 8); b2.StoreUnsafe(ref da1, bottom + 16); b3.StoreUnsafe(ref da1, bottom + 24);
            }
        }
    }

    // dW2[oc, t] = Σ_s Σ_p dA2[oc, p] · Col[t, p] in tiles of 2 channels by 6 taps (12 accumulators + 2 gradients
    // + 1 column value), run over every sample of the shard before one horizontal sum each. Bias: Σ dA2 per channel.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv2WeightGradient(float[] g, int n)
    {
        ref var da2 = ref _da2[0];
        ref var col = ref _col[0];
        var gw = g.AsSpan(ModelShape.Conv2Weight, C2 * Taps2);
        for (var t = 0; t < Taps2; t += 6)
        {
            for (var oc = 0; oc < C2; oc += 2)
            {
                Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default;
                Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
                for (var s = 0; s < n; s++)
                {
                    var dBase = (nuint)(s * A2Size + oc * 64);
                    var cBase = (nuint)(s * ColSize + t * 64);
                    for (nuint p = 0; p < 64; p += 8)
                    {
                        var d0 = Vector256.LoadUnsafe(ref da2, dBase + p);
                        var d1 = Vector256.LoadUnsafe(ref da2, dBase + 64 + p);
                        var c = Vector256.LoadUnsafe(ref col, cBase + p);
                        a00 = Fma.MultiplyAdd(d0, c, a00); a10 = Fma.MultiplyAdd(d1, c, a10);
                        c = Vector256.LoadUnsafe(ref col, cBase + 64 + p);
                        a01 = Fma.MultiplyAdd(d0, c, a01); a11 = Fma.MultiplyAdd(d1, c, a11);
                        c = Vector256.LoadUnsafe(ref col, cBase + 128 + p);
                        a02 = Fma.MultiplyAdd(d0, c, a02); a12 = Fma.MultiplyAdd(d1, c, a12);
                        c = Vector256.LoadUnsafe(ref col, cBase + 192 + p);
                        a03 = Fma.MultiplyAdd(d0, c, a03); a13 = Fma.MultiplyAdd(d1, c, a13);
                        c = Vector256.LoadUnsafe(ref col, cBase + 256 + p);
                        a04 = Fma.MultiplyAdd(d0, c, a04); a14 = Fma.MultiplyAdd(d1, c, a14);
                        c = Vector256.LoadUnsafe(ref col, cBase + 320 + p);
                        a05 = Fma.MultiplyAdd(d0, c, a05); a15 = Fma.MultiplyAdd(d1, c, a15);
                    }
                }
                var r0 = oc * Taps2 + t;
                var r1 = r0 + Taps2;
                gw[r0] = Vector256Sums.Sum(a00); gw[r0 + 1] = Vector256Sums.Sum(a01); gw[r0 + 2] = Vector256Sums.Sum(a02);
                gw[r0 + 3] = Vector256Sums.Sum(a03); gw[r0 + 4] = Vector256Sums.Sum(a04); gw[r0 + 5] = Vector256Sums.Sum(a05);
                gw[r1] = Vector256Sums.Sum(a10); gw[r1 + 1] = Vector256Sums.Sum(a11); gw[r1 + 2] = Vector256Sums.Sum(a12);
                gw[r1 + 3] = Vector256Sums.Sum(a13); gw[r1 + 4] = Vector256Sums.Sum(a14); gw[r1 + 5] = Vector256Sums.Sum(a15);
            }
        }
        for (var oc = 0; oc < C2; oc++)
        {
            var acc = Vector256<float>.Zero;
            for (var s = 0; s < n; s++)
            {
                var b = (nuint)(s * A2Size + oc * 64);
                acc += ((Vector256.LoadUnsafe(ref da2, b) + Vector256.LoadUnsafe(ref da2, b + 8))
                        + (Vector256.LoadUnsafe(ref da2, b + 16) + Vector256.LoadUnsafe(ref da2, b + 24)))
                     + ((Vector256.LoadUnsafe(ref da2, b + 32) + Vector256.LoadUnsafe(ref da2, b + 40))
                        + (Vector256.LoadUnsafe(ref da2, b + 48) + Vector256.LoadUnsafe(ref da2, b + 56)));
            }
            g[ModelShape.Conv2Bias + oc] = Vector256Sums.Sum(acc);
        }
    }

    // dW1[oc, ky, kx] = Σ_s Σ_p dA1[oc, p] · x[p + ky·28 + kx] over the wide grid (garbage positions carry zero
    // gradient) in tiles of 2 channels by one kernel row of 5 taps (10 accumulators + 2 gradients + 1 input)
    // across the shard. Bias: Σ dA1 per channel, 4 accumulators to break the add chain.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv1WeightGradient(float[] g, int n)
    {
        ref var da1 = ref _da1[0];
        ref var x = ref _x[0];
        var gw = g.AsSpan(ModelShape.Conv1Weight, C1 * Taps1);
        for (var oc = 0; oc < C1; oc += 2)
        {
            for (var ky = 0; ky < K; ky++)
            {
                Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default;
                Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default;
                for (var s = 0; s < n; s++)
                {
                    var dBase = (nuint)((s * C1 + oc) * A1Stride);
                    var xBase = (nuint)(s * XStride + ky * InSide);
                    for (nuint p = 0; p < A1Stride; p += 8)
                    {
                        var d0 = Vector256.LoadUnsafe(ref da1, dBase + p);
                        var d1 = Vector256.LoadUnsafe(ref da1, dBase + A1Stride + p);
                        var xv = Vector256.LoadUnsafe(ref x, xBase + p);
                        a00 = Fma.MultiplyAdd(d0, xv, a00); a10 = Fma.MultiplyAdd(d1, xv, a10);
                        xv = Vector256.LoadUnsafe(ref x, xBase + p + 1);
                        a01 = Fma.MultiplyAdd(d0, xv, a01); a11 = Fma.MultiplyAdd(d1, xv, a11);
                        xv = Vector256.LoadUnsafe(ref x, xBase + p + 2);
                        a02 = Fma.MultiplyAdd(d0, xv, a02); a12 = Fma.MultiplyAdd(d1, xv, a12);
                        xv = Vector256.LoadUnsafe(ref x, xBase + p + 3);
                        a03 = Fma.MultiplyAdd(d0, xv, a03); a13 = Fma.MultiplyAdd(d1, xv, a13);
                        xv = Vector256.LoadUnsafe(ref x, xBase + p + 4);
                        a04 = Fma.MultiplyAdd(d0, xv, a04); a14 = Fma.MultiplyAdd(d1, xv, a14);
                    }
                }
                var r0 = oc * Taps1 + ky * K;
                var r1 = r0 + Taps1;
                gw[r0] = Vector256Sums.Sum(a00); gw[r0 + 1] = Vector256Sums.Sum(a01); gw[r0 + 2] = Vector256Sums.Sum(a02);
                gw[r0 + 3] = Vector256Sums.Sum(a03); gw[r0 + 4] = Vector256Sums.Sum(a04);
                gw[r1] = Vector256Sums.Sum(a10); gw[r1 + 1] = Vector256Sums.Sum(a11); gw[r1 + 2] = Vector256Sums.Sum(a12);
                gw[r1 + 3] = Vector256Sums.Sum(a13); gw[r1 + 4] = Vector256Sums.Sum(a14);
            }
        }
        for (var oc = 0; oc < C1; oc++)
        {
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (var s = 0; s < n; s++)
            {
                var b = (nuint)((s * C1 + oc) * A1Stride);
                for (nuint p = 0; p < A1Stride; p += 32)
                {
                    acc0 += Vector256.LoadUnsafe(ref da1, b + p);
                    acc1 += Vector256.LoadUnsafe(ref da1, b + p + 8);
                    acc2 += Vector256.LoadUnsafe(ref da1, b + p + 16);
                    acc3 += Vector256.LoadUnsafe(ref da1, b + p + 24);
                }
            }
            g[ModelShape.Conv1Bias + oc] = Vector256Sums.Sum((acc0 + acc1) + (acc2 + acc3));
        }
    }
}
