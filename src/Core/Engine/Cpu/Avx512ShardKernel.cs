using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CnnDistributed.Core.Model;
using static CnnDistributed.Core.Engine.Cpu.ShardLayout;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// Forward and backward passes of one shard with AVX-512, on one thread (the pass order and workspace are those of
/// <see cref="WideGridShardKernel"/>); one instance per thread (it owns
/// its workspace). Every reduction runs in a fixed order that depends only on the shard's samples, so a
/// shard's gradient is bit-identical whichever thread or process computes it.
/// <para>
/// Layouts. Convolutions use the "wide" trick where it pays: conv1 is computed at every position
/// p = y·28 + x of the 28-wide input grid (x ≥ 24 is garbage that pooling never reads and whose gradient is
/// zero), so output p is a 1-D correlation of the input at offsets ky·28 + kx and needs no im2col. conv2
/// uses an im2col matrix per sample ([150 taps][64 positions]) kept for the weight gradient. Fully
/// connected layers run over all the shard's samples at once. Weight gradients are accumulated over the
/// shard's samples in vector registers and reduced horizontally once per shard.
/// </para>
/// <para>Kernels are compiled fully optimised on first use (no tier-0 first epoch): their speed comes from the
/// hand blocking, not from profile-guided recompilation.</para>
/// </summary>
internal sealed class Avx512ShardKernel : WideGridShardKernel
{
    // The dense layers' per-sample buffers (index s · stride).
    private float[] _h = [];
    private float[] _z = [];
    private float[] _dh = [];

    public Avx512ShardKernel(InputScaling scaling)
        : base(scaling)
    {
    }

    protected override void GrowDenseBuffers(int n)
    {
        _h = new float[n * HStride];
        _z = new float[n * ZStride];
        _dh = new float[n * HStride];
    }

    protected override ShardStats DenseForward(float[] w, int n, ReadOnlySpan<byte> labels, Span<float> losses, Span<byte> predictions)
    {
        Fc1Forward(w, n);
        return SoftmaxCrossEntropy(w, n, labels, losses, predictions);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void LoadImage(ReadOnlySpan<byte> pixels, int s)
    {
        var x = _x.AsSpan(s * XStride, XStride);
        for (var i = 0; i < pixels.Length; i++)
        {
            x[i] = pixels[i] * _scale + _offset;
        }
        x[pixels.Length..].Clear();
    }

    // conv1 over the wide grid: 2 groups of 3 output channels by blocks of 64 positions (4 vectors); per tap,
    // 4 input loads at offset ky·28+kx feed 12 FMAs. Accumulators start at the bias; ReLU on store.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv1Forward(float[] w, int s)
    {
        ref var x = ref _x[s * XStride];
        ref var a1 = ref _a1[0];
        ref var wt = ref w[ModelShape.Conv1Weight];
        for (var g = 0; g < C1; g += 3)
        {
            var bias0 = Vector512.Create(w[ModelShape.Conv1Bias + g]);
            var bias1 = Vector512.Create(w[ModelShape.Conv1Bias + g + 1]);
            var bias2 = Vector512.Create(w[ModelShape.Conv1Bias + g + 2]);
            for (var p = 0; p < A1Stride; p += 64)
            {
                Vector512<float> a00 = bias0, a01 = bias0, a02 = bias0, a03 = bias0;
                Vector512<float> a10 = bias1, a11 = bias1, a12 = bias1, a13 = bias1;
                Vector512<float> a20 = bias2, a21 = bias2, a22 = bias2, a23 = bias2;
                for (var ky = 0; ky < K; ky++)
                {
                    for (var kx = 0; kx < K; kx++)
                    {
                        var off = (nuint)(p + ky * InSide + kx);
                        var x0 = Vector512.LoadUnsafe(ref x, off);
                        var x1 = Vector512.LoadUnsafe(ref x, off + 16);
                        var x2 = Vector512.LoadUnsafe(ref x, off + 32);
                        var x3 = Vector512.LoadUnsafe(ref x, off + 48);
                        var t = ky * K + kx;
                        var w0 = Vector512.Create(Unsafe.Add(ref wt, g * Taps1 + t));
                        var w1 = Vector512.Create(Unsafe.Add(ref wt, (g + 1) * Taps1 + t));
                        var w2 = Vector512.Create(Unsafe.Add(ref wt, (g + 2) * Taps1 + t));
                        a00 = Vector512.FusedMultiplyAdd(x0, w0, a00); a01 = Vector512.FusedMultiplyAdd(x1, w0, a01);
                        a02 = Vector512.FusedMultiplyAdd(x2, w0, a02); a03 = Vector512.FusedMultiplyAdd(x3, w0, a03);
                        a10 = Vector512.FusedMultiplyAdd(x0, w1, a10); a11 = Vector512.FusedMultiplyAdd(x1, w1, a11);
                        a12 = Vector512.FusedMultiplyAdd(x2, w1, a12); a13 = Vector512.FusedMultiplyAdd(x3, w1, a13);
                        a20 = Vector512.FusedMultiplyAdd(x0, w2, a20); a21 = Vector512.FusedMultiplyAdd(x1, w2, a21);
                        a22 = Vector512.FusedMultiplyAdd(x2, w2, a22); a23 = Vector512.FusedMultiplyAdd(x3, w2, a23);
                    }
                }
                var zero = Vector512<float>.Zero;
                var o0 = (nuint)(g * A1Stride + p);
                var o1 = o0 + A1Stride;
                var o2 = o1 + A1Stride;
                Vector512.Max(a00, zero).StoreUnsafe(ref a1, o0); Vector512.Max(a01, zero).StoreUnsafe(ref a1, o0 + 16);
                Vector512.Max(a02, zero).StoreUnsafe(ref a1, o0 + 32); Vector512.Max(a03, zero).StoreUnsafe(ref a1, o0 + 48);
                Vector512.Max(a10, zero).StoreUnsafe(ref a1, o1); Vector512.Max(a11, zero).StoreUnsafe(ref a1, o1 + 16);
                Vector512.Max(a12, zero).StoreUnsafe(ref a1, o1 + 32); Vector512.Max(a13, zero).StoreUnsafe(ref a1, o1 + 48);
                Vector512.Max(a20, zero).StoreUnsafe(ref a1, o2); Vector512.Max(a21, zero).StoreUnsafe(ref a1, o2 + 16);
                Vector512.Max(a22, zero).StoreUnsafe(ref a1, o2 + 32); Vector512.Max(a23, zero).StoreUnsafe(ref a1, o2 + 48);
            }
        }
    }

    // 2x2 max-pool of the wide conv1 output, one pooled row (12 outputs in a 16-lane vector) at a time: two
    // permutes split each input row pair into the window's four candidates. The arg-max is kept as a code
    // 0–3 (top-left, top-right, bottom-left, bottom-right); strict comparisons keep the first maximum.
    // Stores are 16 lanes wide; the 4 lanes past a row are overwritten by the next row.
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
                var (value, code) = MaxOfCandidates(
                    Vector512.LoadUnsafe(ref a1, top), Vector512.LoadUnsafe(ref a1, top + 16),
                    Vector512.LoadUnsafe(ref a1, top + InSide), Vector512.LoadUnsafe(ref a1, top + InSide + 16),
                    PoolPatterns.Even, PoolPatterns.Odd, PoolPatterns.Even, PoolPatterns.Odd);
                var o = (nuint)(c * P1Side * P1Side + y * P1Side);
                value.StoreUnsafe(ref p1, o);
                code.StoreUnsafe(ref arg, o);
            }
        }
    }

    /// <summary>
    /// Element-wise max over four candidates, each picked by a permute pattern from a pair of source vectors
    /// (the first two from the top pair, the last two from the bottom pair), with the index 0–3 of the first maximum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Value, Vector512<int> Code) MaxOfCandidates(
        Vector512<float> topLow, Vector512<float> topHigh, Vector512<float> bottomLow, Vector512<float> bottomHigh,
        Vector512<int> pattern0, Vector512<int> pattern1, Vector512<int> pattern2, Vector512<int> pattern3)
    {
        var value = Avx512F.PermuteVar16x32x2(topLow, pattern0, topHigh);
        var code = Vector512<int>.Zero;
        var candidate = Avx512F.PermuteVar16x32x2(topLow, pattern1, topHigh);
        var greater = Vector512.GreaterThan(candidate, value);
        value = Vector512.ConditionalSelect(greater, candidate, value);
        code = Vector512.ConditionalSelect(greater.AsInt32(), Vector512.Create(1), code);
        candidate = Avx512F.PermuteVar16x32x2(bottomLow, pattern2, bottomHigh);
        greater = Vector512.GreaterThan(candidate, value);
        value = Vector512.ConditionalSelect(greater, candidate, value);
        code = Vector512.ConditionalSelect(greater.AsInt32(), Vector512.Create(2), code);
        candidate = Avx512F.PermuteVar16x32x2(bottomLow, pattern3, bottomHigh);
        greater = Vector512.GreaterThan(candidate, value);
        value = Vector512.ConditionalSelect(greater, candidate, value);
        code = Vector512.ConditionalSelect(greater.AsInt32(), Vector512.Create(3), code);
        return (value, code);
    }

    // conv2 as GEMM: A2[16x64] = W2[16x150] · Col[150x64], blocks of 4 channels by 64 positions (16 accumulators).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv2Forward(float[] w, int s)
    {
        ref var col = ref _col[s * ColSize];
        ref var wt = ref w[ModelShape.Conv2Weight];
        ref var a2 = ref _a2[0];
        for (var oc = 0; oc < C2; oc += 4)
        {
            var b0 = Vector512.Create(w[ModelShape.Conv2Bias + oc]);
            var b1 = Vector512.Create(w[ModelShape.Conv2Bias + oc + 1]);
            var b2 = Vector512.Create(w[ModelShape.Conv2Bias + oc + 2]);
            var b3 = Vector512.Create(w[ModelShape.Conv2Bias + oc + 3]);
            Vector512<float> a00 = b0, a01 = b0, a02 = b0, a03 = b0;
            Vector512<float> a10 = b1, a11 = b1, a12 = b1, a13 = b1;
            Vector512<float> a20 = b2, a21 = b2, a22 = b2, a23 = b2;
            Vector512<float> a30 = b3, a31 = b3, a32 = b3, a33 = b3;
            for (var t = 0; t < Taps2; t++)
            {
                var r = (nuint)(t * 64);
                var c0 = Vector512.LoadUnsafe(ref col, r);
                var c1 = Vector512.LoadUnsafe(ref col, r + 16);
                var c2 = Vector512.LoadUnsafe(ref col, r + 32);
                var c3 = Vector512.LoadUnsafe(ref col, r + 48);
                var w0 = Vector512.Create(Unsafe.Add(ref wt, oc * Taps2 + t));
                var w1 = Vector512.Create(Unsafe.Add(ref wt, (oc + 1) * Taps2 + t));
                var w2 = Vector512.Create(Unsafe.Add(ref wt, (oc + 2) * Taps2 + t));
                var w3 = Vector512.Create(Unsafe.Add(ref wt, (oc + 3) * Taps2 + t));
                a00 = Vector512.FusedMultiplyAdd(c0, w0, a00); a01 = Vector512.FusedMultiplyAdd(c1, w0, a01);
                a02 = Vector512.FusedMultiplyAdd(c2, w0, a02); a03 = Vector512.FusedMultiplyAdd(c3, w0, a03);
                a10 = Vector512.FusedMultiplyAdd(c0, w1, a10); a11 = Vector512.FusedMultiplyAdd(c1, w1, a11);
                a12 = Vector512.FusedMultiplyAdd(c2, w1, a12); a13 = Vector512.FusedMultiplyAdd(c3, w1, a13);
                a20 = Vector512.FusedMultiplyAdd(c0, w2, a20); a21 = Vector512.FusedMultiplyAdd(c1, w2, a21);
                a22 = Vector512.FusedMultiplyAdd(c2, w2, a22); a23 = Vector512.FusedMultiplyAdd(c3, w2, a23);
                a30 = Vector512.FusedMultiplyAdd(c0, w3, a30); a31 = Vector512.FusedMultiplyAdd(c1, w3, a31);
                a32 = Vector512.FusedMultiplyAdd(c2, w3, a32); a33 = Vector512.FusedMultiplyAdd(c3, w3, a33);
            }
            var zero = Vector512<float>.Zero;
            var o = (nuint)(oc * 64);
            Vector512.Max(a00, zero).StoreUnsafe(ref a2, o); Vector512.Max(a01, zero).StoreUnsafe(ref a2, o + 16);
            Vector512.Max(a02, zero).StoreUnsafe(ref a2, o + 32); Vector512.Max(a03, zero).StoreUnsafe(ref a2, o + 48);
            Vector512.Max(a10, zero).StoreUnsafe(ref a2, o + 64); Vector512.Max(a11, zero).StoreUnsafe(ref a2, o + 80);
            Vector512.Max(a12, zero).StoreUnsafe(ref a2, o + 96); Vector512.Max(a13, zero).StoreUnsafe(ref a2, o + 112);
            Vector512.Max(a20, zero).StoreUnsafe(ref a2, o + 128); Vector512.Max(a21, zero).StoreUnsafe(ref a2, o + 144);
            Vector512.Max(a22, zero).StoreUnsafe(ref a2, o + 160); Vector512.Max(a23, zero).StoreUnsafe(ref a2, o + 176);
            Vector512.Max(a30, zero).StoreUnsafe(ref a2, o + 192); Vector512.Max(a31, zero).StoreUnsafe(ref a2, o + 208);
            Vector512.Max(a32, zero).StoreUnsafe(ref a2, o + 224); Vector512.Max(a33, zero).StoreUnsafe(ref a2, o + 240);
        }
    }

    // 2x2 max-pool of conv2's 8x8 maps into the flattened 256-vector (index c·16 + y·4 + x, as PyTorch's
    // view). A channel is four vectors of two rows each; a permute over a pair of them yields one candidate
    // for 8 outputs (lanes 0–7), so each channel takes two passes.
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
                var low = Vector512.LoadUnsafe(ref a2, src);
                var high = Vector512.LoadUnsafe(ref a2, src + 16);
                var (value, code) = MaxOfCandidates(low, high, low, high,
                    PoolPatterns.Pool2TopLeft, PoolPatterns.Pool2TopRight, PoolPatterns.Pool2BottomLeft, PoolPatterns.Pool2BottomRight);
                var o = (nuint)(c * 16 + half * 8);
                value.GetLower().StoreUnsafe(ref p2, o);
                code.GetLower().StoreUnsafe(ref arg, o);
            }
        }
    }

    // fc1 in dot form: for 4 hidden units at a time and each sample, 16 vector FMAs over the 256 inputs, then a horizontal sum.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fc1Forward(float[] w, int n)
    {
        ref var wt = ref w[ModelShape.Fc1Weight];
        ref var p2 = ref _p2[0];
        for (var o = 0; o < H; o += 4)
        {
            var r0 = (nuint)(o * F);
            for (var s = 0; s < n; s++)
            {
                var ps = (nuint)(s * F);
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (nuint k = 0; k < F; k += 16)
                {
                    var x = Vector512.LoadUnsafe(ref p2, ps + k);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, r0 + k), x, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, r0 + F + k), x, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, r0 + 2 * F + k), x, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, r0 + 3 * F + k), x, a3);
                }
                var h = _h.AsSpan(s * HStride);
                h[o] = MathF.Max(w[ModelShape.Fc1Bias + o] + Vector512.Sum(a0), 0f);
                h[o + 1] = MathF.Max(w[ModelShape.Fc1Bias + o + 1] + Vector512.Sum(a1), 0f);
                h[o + 2] = MathF.Max(w[ModelShape.Fc1Bias + o + 2] + Vector512.Sum(a2), 0f);
                h[o + 3] = MathF.Max(w[ModelShape.Fc1Bias + o + 3] + Vector512.Sum(a3), 0f);
            }
        }
    }

    // fc2, softmax and cross-entropy per sample; leaves dLoss/dlogits = softmax − one-hot in _z.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ShardStats SoftmaxCrossEntropy(float[] w, int n, ReadOnlySpan<byte> labels, Span<float> losses, Span<byte> predictions)
    {
        var tally = new ShardTally(losses, predictions);
        Span<float> e = stackalloc float[O];
        for (var s = 0; s < n; s++)
        {
            var h = _h.AsSpan(s * HStride, H);
            var z = _z.AsSpan(s * ZStride, O);
            for (var o = 0; o < O; o++)
            {
                z[o] = w[ModelShape.Fc2Bias + o] + TensorPrimitives.Dot(w.AsSpan(ModelShape.Fc2Weight + o * H, H), h);
            }
            var predicted = TensorPrimitives.IndexOfMax(z);
            var max = z[predicted];
            TensorPrimitives.Subtract(z, max, e);
            TensorPrimitives.Exp(e, e);
            var sum = TensorPrimitives.Sum(e);
            var label = labels[s];
            var loss = MathF.Log(sum) + max - z[label];
            TensorPrimitives.Divide(e, sum, z);
            z[label] -= 1f;
            tally.Add(s, loss, predicted, label);
        }
        return tally.Total(n);
    }

    // Backward through fc2 and fc1 for the whole shard. Weight gradients sum over samples in sample order;
    // zero upstream gradients (dead ReLUs) are skipped, which is deterministic too.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void DenseBackward(float[] w, float[] g, int n)
    {
        var gFc2 = g.AsSpan(ModelShape.Fc2Weight, O * H);
        gFc2.Clear();
        for (var o = 0; o < O; o++)
        {
            var db = 0f;
            var row = gFc2.Slice(o * H, H);
            for (var s = 0; s < n; s++)
            {
                var d = _z[s * ZStride + o];
                db += d;
                TensorPrimitives.MultiplyAdd(_h.AsSpan(s * HStride, H), d, row, row);
            }
            g[ModelShape.Fc2Bias + o] = db;
        }
        for (var s = 0; s < n; s++)
        {
            var dh = _dh.AsSpan(s * HStride, H);
            dh.Clear();
            for (var o = 0; o < O; o++)
            {
                TensorPrimitives.MultiplyAdd(w.AsSpan(ModelShape.Fc2Weight + o * H, H), _z[s * ZStride + o], dh, dh);
            }
            var h = _h.AsSpan(s * HStride, H);
            for (var j = 0; j < H; j++)
            {
                if (h[j] <= 0f)
                {
                    dh[j] = 0f;
                }
            }
        }

        // fc1 weight gradient, one row (16 vectors) at a time kept in registers across the shard's samples.
        ref var p2 = ref _p2[0];
        ref var gw = ref g[ModelShape.Fc1Weight];
        for (var o = 0; o < H; o++)
        {
            Vector512<float> r0 = default, r1 = default, r2 = default, r3 = default, r4 = default, r5 = default, r6 = default, r7 = default;
            Vector512<float> r8 = default, r9 = default, r10 = default, r11 = default, r12 = default, r13 = default, r14 = default, r15 = default;
            var db = 0f;
            for (var s = 0; s < n; s++)
            {
                var d = _dh[s * HStride + o];
                if (d == 0f)
                {
                    continue;
                }
                db += d;
                var dv = Vector512.Create(d);
                var ps = (nuint)(s * F);
                r0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps), dv, r0);
                r1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 16), dv, r1);
                r2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 32), dv, r2);
                r3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 48), dv, r3);
                r4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 64), dv, r4);
                r5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 80), dv, r5);
                r6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 96), dv, r6);
                r7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 112), dv, r7);
                r8 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 128), dv, r8);
                r9 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 144), dv, r9);
                r10 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 160), dv, r10);
                r11 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 176), dv, r11);
                r12 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 192), dv, r12);
                r13 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 208), dv, r13);
                r14 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 224), dv, r14);
                r15 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p2, ps + 240), dv, r15);
            }
            var ro = (nuint)(o * F);
            r0.StoreUnsafe(ref gw, ro); r1.StoreUnsafe(ref gw, ro + 16); r2.StoreUnsafe(ref gw, ro + 32); r3.StoreUnsafe(ref gw, ro + 48);
            r4.StoreUnsafe(ref gw, ro + 64); r5.StoreUnsafe(ref gw, ro + 80); r6.StoreUnsafe(ref gw, ro + 96); r7.StoreUnsafe(ref gw, ro + 112);
            r8.StoreUnsafe(ref gw, ro + 128); r9.StoreUnsafe(ref gw, ro + 144); r10.StoreUnsafe(ref gw, ro + 160); r11.StoreUnsafe(ref gw, ro + 176);
            r12.StoreUnsafe(ref gw, ro + 192); r13.StoreUnsafe(ref gw, ro + 208); r14.StoreUnsafe(ref gw, ro + 224); r15.StoreUnsafe(ref gw, ro + 240);
            g[ModelShape.Fc1Bias + o] = db;
        }

        // dP2 = W1ᵀ dH per sample: the 256-vector stays in registers while the hidden units stream past.
        ref var wt = ref w[ModelShape.Fc1Weight];
        ref var dp2 = ref _dp2[0];
        for (var s = 0; s < n; s++)
        {
            Vector512<float> r0 = default, r1 = default, r2 = default, r3 = default, r4 = default, r5 = default, r6 = default, r7 = default;
            Vector512<float> r8 = default, r9 = default, r10 = default, r11 = default, r12 = default, r13 = default, r14 = default, r15 = default;
            for (var o = 0; o < H; o++)
            {
                var d = _dh[s * HStride + o];
                if (d == 0f)
                {
                    continue;
                }
                var dv = Vector512.Create(d);
                var ro = (nuint)(o * F);
                r0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro), dv, r0);
                r1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 16), dv, r1);
                r2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 32), dv, r2);
                r3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 48), dv, r3);
                r4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 64), dv, r4);
                r5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 80), dv, r5);
                r6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 96), dv, r6);
                r7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 112), dv, r7);
                r8 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 128), dv, r8);
                r9 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 144), dv, r9);
                r10 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 160), dv, r10);
                r11 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 176), dv, r11);
                r12 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 192), dv, r12);
                r13 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 208), dv, r13);
                r14 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 224), dv, r14);
                r15 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wt, ro + 240), dv, r15);
            }
            var ps = (nuint)(s * F);
            r0.StoreUnsafe(ref dp2, ps); r1.StoreUnsafe(ref dp2, ps + 16); r2.StoreUnsafe(ref dp2, ps + 32); r3.StoreUnsafe(ref dp2, ps + 48);
            r4.StoreUnsafe(ref dp2, ps + 64); r5.StoreUnsafe(ref dp2, ps + 80); r6.StoreUnsafe(ref dp2, ps + 96); r7.StoreUnsafe(ref dp2, ps + 112);
            r8.StoreUnsafe(ref dp2, ps + 128); r9.StoreUnsafe(ref dp2, ps + 144); r10.StoreUnsafe(ref dp2, ps + 160); r11.StoreUnsafe(ref dp2, ps + 176);
            r12.StoreUnsafe(ref dp2, ps + 192); r13.StoreUnsafe(ref dp2, ps + 208); r14.StoreUnsafe(ref dp2, ps + 224); r15.StoreUnsafe(ref dp2, ps + 240);
        }
    }

    // Max-pool backward: the gradient goes to the arg-max, masked by ReLU (a pooled value ≤ 0 had no gradient).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Pool2Backward(int s)
    {
        var da2 = _da2.AsSpan(s * A2Size, A2Size);
        da2.Clear();
        var p2 = _p2.AsSpan(s * F, F);
        var dp2 = _dp2.AsSpan(s * F, F);
        var arg = _arg2.AsSpan(s * F, F);
        for (var i = 0; i < F; i++)
        {
            if (p2[i] > 0f)
            {
                var (y, x) = Math.DivRem(i % 16, 4);
                da2[i / 16 * 64 + (2 * y + (arg[i] >> 1)) * 8 + 2 * x + (arg[i] & 1)] = dp2[i];
            }
        }
    }

    // dCol[150x64] = W2ᵀ · dA2: blocks of 3 taps by 64 positions, streaming over the 16 output channels.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv2InputGradient(float[] w, int s)
    {
        ref var da2 = ref _da2[s * A2Size];
        ref var wt = ref w[ModelShape.Conv2Weight];
        ref var dcol = ref _dcol[0];
        for (var t = 0; t < Taps2; t += 3)
        {
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
            for (var oc = 0; oc < C2; oc++)
            {
                var r = (nuint)(oc * 64);
                var d0 = Vector512.LoadUnsafe(ref da2, r);
                var d1 = Vector512.LoadUnsafe(ref da2, r + 16);
                var d2 = Vector512.LoadUnsafe(ref da2, r + 32);
                var d3 = Vector512.LoadUnsafe(ref da2, r + 48);
                var w0 = Vector512.Create(Unsafe.Add(ref wt, oc * Taps2 + t));
                var w1 = Vector512.Create(Unsafe.Add(ref wt, oc * Taps2 + t + 1));
                var w2 = Vector512.Create(Unsafe.Add(ref wt, oc * Taps2 + t + 2));
                a00 = Vector512.FusedMultiplyAdd(d0, w0, a00); a01 = Vector512.FusedMultiplyAdd(d1, w0, a01);
                a02 = Vector512.FusedMultiplyAdd(d2, w0, a02); a03 = Vector512.FusedMultiplyAdd(d3, w0, a03);
                a10 = Vector512.FusedMultiplyAdd(d0, w1, a10); a11 = Vector512.FusedMultiplyAdd(d1, w1, a11);
                a12 = Vector512.FusedMultiplyAdd(d2, w1, a12); a13 = Vector512.FusedMultiplyAdd(d3, w1, a13);
                a20 = Vector512.FusedMultiplyAdd(d0, w2, a20); a21 = Vector512.FusedMultiplyAdd(d1, w2, a21);
                a22 = Vector512.FusedMultiplyAdd(d2, w2, a22); a23 = Vector512.FusedMultiplyAdd(d3, w2, a23);
            }
            var o = (nuint)(t * 64);
            a00.StoreUnsafe(ref dcol, o); a01.StoreUnsafe(ref dcol, o + 16); a02.StoreUnsafe(ref dcol, o + 32); a03.StoreUnsafe(ref dcol, o + 48);
            a10.StoreUnsafe(ref dcol, o + 64); a11.StoreUnsafe(ref dcol, o + 80); a12.StoreUnsafe(ref dcol, o + 96); a13.StoreUnsafe(ref dcol, o + 112);
            a20.StoreUnsafe(ref dcol, o + 128); a21.StoreUnsafe(ref dcol, o + 144); a22.StoreUnsafe(ref dcol, o + 160); a23.StoreUnsafe(ref dcol, o + 176);
        }
    }

    // col2im: adds each tap's 8x8 gradient window back onto the pool1 gradient, taps in a fixed order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Col2Im()
    {
        Array.Clear(_dp1);
        ref var dp1 = ref _dp1[0];
        ref var dcol = ref _dcol[0];
        for (var c = 0; c < C1; c++)
        {
            for (var ky = 0; ky < K; ky++)
            {
                for (var kx = 0; kx < K; kx++)
                {
                    var row = (nuint)(((c * K + ky) * K + kx) * 64);
                    var dst = (nuint)(c * P1Side * P1Side + ky * P1Side + kx);
                    for (nuint y = 0; y < 8; y++)
                    {
                        var target = dst + y * P1Side;
                        (Vector256.LoadUnsafe(ref dp1, target) + Vector256.LoadUnsafe(ref dcol, row + y * 8)).StoreUnsafe(ref dp1, target);
                    }
                }
            }
        }
    }

    // Max-pool backward into the wide conv1 gradient, a pooled row at a time: the row's gradient (masked by
    // ReLU and to its 12 valid lanes) is split by arg-max code and interleaved back into the two input rows.
    // Stores run 4 lanes past each 28-wide row and are overwritten by the next row; positions past the last
    // row are never written and stay zero.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Pool1Backward(int s)
    {
        ref var da1 = ref _da1[s * C1 * A1Stride];
        ref var p1 = ref _p1[s * P1Stride];
        ref var arg = ref _arg1[s * P1Stride];
        ref var dp1 = ref _dp1[0];
        var zero = Vector512<float>.Zero;
        for (var c = 0; c < C1; c++)
        {
            for (var y = 0; y < P1Side; y++)
            {
                var i = (nuint)(c * P1Side * P1Side + y * P1Side);
                var live = Vector512.GreaterThan(Vector512.LoadUnsafe(ref p1, i), zero) & PoolPatterns.FirstTwelve;
                var d = Vector512.ConditionalSelect(live, Vector512.LoadUnsafe(ref dp1, i), zero);
                var code = Vector512.LoadUnsafe(ref arg, i);
                var d0 = Vector512.ConditionalSelect(Vector512.Equals(code, Vector512.Create(0)).AsSingle(), d, zero);
                var d1 = Vector512.ConditionalSelect(Vector512.Equals(code, Vector512.Create(1)).AsSingle(), d, zero);
                var d2 = Vector512.ConditionalSelect(Vector512.Equals(code, Vector512.Create(2)).AsSingle(), d, zero);
                var d3 = Vector512.ConditionalSelect(Vector512.Equals(code, Vector512.Create(3)).AsSingle(), d, zero);
                var top = (nuint)(c * A1Stride + 2 * y * InSide);
                Avx512F.PermuteVar16x32x2(d0, PoolPatterns.InterleaveLow, d1).StoreUnsafe(ref da1, top);
                Avx512F.PermuteVar16x32x2(d0, PoolPatterns.InterleaveHigh, d1).StoreUnsafe(ref da1, top + 16);
                Avx512F.PermuteVar16x32x2(d2, PoolPatterns.InterleaveLow, d3).StoreUnsafe(ref da1, top + InSide);
                Avx512F.PermuteVar16x32x2(d2, PoolPatterns.InterleaveHigh, d3).StoreUnsafe(ref da1, top + InSide + 16);
            }
        }
    }

    // dW2[oc, t] = Σ_s Σ_p dA2[oc, p] · Col[t, p]: blocks of 4 channels by 3 taps (12 vector accumulators)
    // run over every sample of the shard before one horizontal sum each.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv2WeightGradient(float[] g, int n)
    {
        ref var da2 = ref _da2[0];
        ref var col = ref _col[0];
        for (var oc = 0; oc < C2; oc += 4)
        {
            for (var t = 0; t < Taps2; t += 3)
            {
                Vector512<float> a00 = default, a01 = default, a02 = default;
                Vector512<float> a10 = default, a11 = default, a12 = default;
                Vector512<float> a20 = default, a21 = default, a22 = default;
                Vector512<float> a30 = default, a31 = default, a32 = default;
                for (var s = 0; s < n; s++)
                {
                    var dBase = (nuint)(s * A2Size + oc * 64);
                    var cBase = (nuint)(s * ColSize + t * 64);
                    for (nuint p = 0; p < 64; p += 16)
                    {
                        var d0 = Vector512.LoadUnsafe(ref da2, dBase + p);
                        var d1 = Vector512.LoadUnsafe(ref da2, dBase + 64 + p);
                        var d2 = Vector512.LoadUnsafe(ref da2, dBase + 128 + p);
                        var d3 = Vector512.LoadUnsafe(ref da2, dBase + 192 + p);
                        var c0 = Vector512.LoadUnsafe(ref col, cBase + p);
                        var c1 = Vector512.LoadUnsafe(ref col, cBase + 64 + p);
                        var c2 = Vector512.LoadUnsafe(ref col, cBase + 128 + p);
                        a00 = Vector512.FusedMultiplyAdd(d0, c0, a00); a01 = Vector512.FusedMultiplyAdd(d0, c1, a01); a02 = Vector512.FusedMultiplyAdd(d0, c2, a02);
                        a10 = Vector512.FusedMultiplyAdd(d1, c0, a10); a11 = Vector512.FusedMultiplyAdd(d1, c1, a11); a12 = Vector512.FusedMultiplyAdd(d1, c2, a12);
                        a20 = Vector512.FusedMultiplyAdd(d2, c0, a20); a21 = Vector512.FusedMultiplyAdd(d2, c1, a21); a22 = Vector512.FusedMultiplyAdd(d2, c2, a22);
                        a30 = Vector512.FusedMultiplyAdd(d3, c0, a30); a31 = Vector512.FusedMultiplyAdd(d3, c1, a31); a32 = Vector512.FusedMultiplyAdd(d3, c2, a32);
                    }
                }
                var gw = g.AsSpan(ModelShape.Conv2Weight);
                gw[oc * Taps2 + t] = Vector512.Sum(a00); gw[oc * Taps2 + t + 1] = Vector512.Sum(a01); gw[oc * Taps2 + t + 2] = Vector512.Sum(a02);
                gw[(oc + 1) * Taps2 + t] = Vector512.Sum(a10); gw[(oc + 1) * Taps2 + t + 1] = Vector512.Sum(a11); gw[(oc + 1) * Taps2 + t + 2] = Vector512.Sum(a12);
                gw[(oc + 2) * Taps2 + t] = Vector512.Sum(a20); gw[(oc + 2) * Taps2 + t + 1] = Vector512.Sum(a21); gw[(oc + 2) * Taps2 + t + 2] = Vector512.Sum(a22);
                gw[(oc + 3) * Taps2 + t] = Vector512.Sum(a30); gw[(oc + 3) * Taps2 + t + 1] = Vector512.Sum(a31); gw[(oc + 3) * Taps2 + t + 2] = Vector512.Sum(a32);
            }
        }
        for (var oc = 0; oc < C2; oc++)
        {
            var acc = Vector512<float>.Zero;
            for (var s = 0; s < n; s++)
            {
                var b = (nuint)(s * A2Size + oc * 64);
                acc += Vector512.LoadUnsafe(ref da2, b) + Vector512.LoadUnsafe(ref da2, b + 16)
                     + Vector512.LoadUnsafe(ref da2, b + 32) + Vector512.LoadUnsafe(ref da2, b + 48);
            }
            g[ModelShape.Conv2Bias + oc] = Vector512.Sum(acc);
        }
    }

    // dW1[oc, ky, kx] = Σ_s Σ_p dA1[oc, p] · x[p + ky·28 + kx] over the wide grid (garbage positions carry
    // zero gradient): blocks of 3 channels by one kernel row of 5 taps (15 accumulators) across the shard.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Conv1WeightGradient(float[] g, int n)
    {
        ref var da1 = ref _da1[0];
        ref var x = ref _x[0];
        for (var oc = 0; oc < C1; oc += 3)
        {
            for (var ky = 0; ky < K; ky++)
            {
                Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default;
                Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default;
                Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default, a24 = default;
                for (var s = 0; s < n; s++)
                {
                    var dBase = (nuint)((s * C1 + oc) * A1Stride);
                    var xBase = (nuint)(s * XStride + ky * InSide);
                    for (nuint p = 0; p < A1Stride; p += 16)
                    {
                        var d0 = Vector512.LoadUnsafe(ref da1, dBase + p);
                        var d1 = Vector512.LoadUnsafe(ref da1, dBase + A1Stride + p);
                        var d2 = Vector512.LoadUnsafe(ref da1, dBase + 2 * A1Stride + p);
                        var x0 = Vector512.LoadUnsafe(ref x, xBase + p);
                        var x1 = Vector512.LoadUnsafe(ref x, xBase + p + 1);
                        var x2 = Vector512.LoadUnsafe(ref x, xBase + p + 2);
                        var x3 = Vector512.LoadUnsafe(ref x, xBase + p + 3);
                        var x4 = Vector512.LoadUnsafe(ref x, xBase + p + 4);
                        a00 = Vector512.FusedMultiplyAdd(d0, x0, a00); a01 = Vector512.FusedMultiplyAdd(d0, x1, a01); a02 = Vector512.FusedMultiplyAdd(d0, x2, a02);
                        a03 = Vector512.FusedMultiplyAdd(d0, x3, a03); a04 = Vector512.FusedMultiplyAdd(d0, x4, a04);
                        a10 = Vector512.FusedMultiplyAdd(d1, x0, a10); a11 = Vector512.FusedMultiplyAdd(d1, x1, a11); a12 = Vector512.FusedMultiplyAdd(d1, x2, a12);
                        a13 = Vector512.FusedMultiplyAdd(d1, x3, a13); a14 = Vector512.FusedMultiplyAdd(d1, x4, a14);
                        a20 = Vector512.FusedMultiplyAdd(d2, x0, a20); a21 = Vector512.FusedMultiplyAdd(d2, x1, a21); a22 = Vector512.FusedMultiplyAdd(d2, x2, a22);
                        a23 = Vector512.FusedMultiplyAdd(d2, x3, a23); a24 = Vector512.FusedMultiplyAdd(d2, x4, a24);
                    }
                }
                var gw = g.AsSpan(ModelShape.Conv1Weight);
                var r0 = oc * Taps1 + ky * K;
                var r1 = r0 + Taps1;
                var r2 = r1 + Taps1;
                gw[r0] = Vector512.Sum(a00); gw[r0 + 1] = Vector512.Sum(a01); gw[r0 + 2] = Vector512.Sum(a02); gw[r0 + 3] = Vector512.Sum(a03); gw[r0 + 4] = Vector512.Sum(a04);
                gw[r1] = Vector512.Sum(a10); gw[r1 + 1] = Vector512.Sum(a11); gw[r1 + 2] = Vector512.Sum(a12); gw[r1 + 3] = Vector512.Sum(a13); gw[r1 + 4] = Vector512.Sum(a14);
                gw[r2] = Vector512.Sum(a20); gw[r2 + 1] = Vector512.Sum(a21); gw[r2 + 2] = Vector512.Sum(a22); gw[r2 + 3] = Vector512.Sum(a23); gw[r2 + 4] = Vector512.Sum(a24);
            }
        }
        for (var oc = 0; oc < C1; oc++)
        {
            var acc = Vector512<float>.Zero;
            for (var s = 0; s < n; s++)
            {
                var b = (nuint)((s * C1 + oc) * A1Stride);
                for (nuint p = 0; p < A1Stride; p += 16)
                {
                    acc += Vector512.LoadUnsafe(ref da1, b + p);
                }
            }
            g[ModelShape.Conv1Bias + oc] = Vector512.Sum(acc);
        }
    }
}

