using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CnnDistributed.Core.Model;
using static CnnDistributed.Core.Engine.Cpu.ShardLayout;

namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// The fully connected head of <see cref="Avx2ShardKernel"/>, over all of a shard's samples at once: fc1 (256 → 120,
/// ReLU), fc2 (120 → 10), softmax cross-entropy, and their backward passes, with AVX2 and FMA and sums in a fixed
/// order. Its input is the flattened pool2 output, 256 values per sample; it owns the hidden-layer buffers.
/// </summary>
internal sealed class Avx2DenseLayers
{
    private int _capacity;
    private float[] _h = [];
    private float[] _z = [];
    private float[] _dh = [];

    /// <summary>
    /// Logits, loss and prediction of each sample's features <paramref name="p2s"/>[s · 256 …] (per-sample values
    /// written when the spans are not empty); keeps what <see cref="Backward"/> needs.
    /// </summary>
    public ShardStats Forward(float[] w, float[] p2s, int n, ReadOnlySpan<byte> labels, Span<float> losses, Span<byte> predictions)
    {
        if (n > _capacity)
        {
            _capacity = n;
            _h = new float[n * HStride];
            _z = new float[n * ZStride];
            _dh = new float[n * HStride];
        }
        Fc1Forward(w, p2s, n);
        return SoftmaxCrossEntropy(w, n, labels, losses, predictions);
    }

    /// <summary>
    /// After <see cref="Forward"/> of the same samples: the head's weight gradients summed over the samples into
    /// <paramref name="g"/>, and each sample's feature gradient into <paramref name="dp2s"/>.
    /// </summary>
    public void Backward(float[] w, float[] g, float[] p2s, float[] dp2s, int n)
    {
        Fc2Backward(w, g, n);
        Fc1Backward(w, g, p2s, dp2s, n);
    }

    // fc1 in dot form: for 8 hidden units at a time and each sample, 8 accumulators over the 256 inputs (one
    // input load feeds 8 FMAs against weight rows read from memory), reduced together into one vector of 8
    // sums. Units are the outer loop so their 8 KB of weights stay in L1 across the samples.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fc1Forward(float[] w, float[] p2s, int n)
    {
        ref var wt = ref w[ModelShape.Fc1Weight];
        ref var p2 = ref p2s[0];
        ref var h = ref _h[0];
        for (var o = 0; o < H; o += 8)
        {
            var bias = Vector256.LoadUnsafe(ref w[ModelShape.Fc1Bias + o]);
            ref var row = ref Unsafe.Add(ref wt, o * F);
            for (var s = 0; s < n; s++)
            {
                var ps = (nuint)(s * F);
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<float> a4 = default, a5 = default, a6 = default, a7 = default;
                for (nuint k = 0; k < F; k += 8)
                {
                    var x = Vector256.LoadUnsafe(ref p2, ps + k);
                    a0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, k), x, a0);
                    a1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, F + k), x, a1);
                    a2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, 2 * F + k), x, a2);
                    a3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, 3 * F + k), x, a3);
                    a4 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, 4 * F + k), x, a4);
                    a5 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, 5 * F + k), x, a5);
                    a6 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, 6 * F + k), x, a6);
                    a7 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, 7 * F + k), x, a7);
                }
                var sums = Vector256Sums.Sum8(a0, a1, a2, a3, a4, a5, a6, a7);
                Avx.Max(bias + sums, Vector256<float>.Zero).StoreUnsafe(ref h, (nuint)(s * HStride + o));
            }
        }
    }

    // fc2, softmax and cross-entropy per sample, in scalar code past the 15-vector dot products; leaves
    // dLoss/dlogits = softmax − one-hot in _z.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ShardStats SoftmaxCrossEntropy(float[] w, int n, ReadOnlySpan<byte> labels, Span<float> losses, Span<byte> predictions)
    {
        ref var wt = ref w[ModelShape.Fc2Weight];
        ref var hs = ref _h[0];
        var tally = new ShardTally(losses, predictions);
        for (var s = 0; s < n; s++)
        {
            var z = _z.AsSpan(s * ZStride, O);
            var hBase = (nuint)(s * HStride);
            for (var o = 0; o < O; o++)
            {
                var acc = Vector256<float>.Zero;
                var row = (nuint)(o * H);
                for (nuint j = 0; j < H; j += 8)
                {
                    acc = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, row + j), Vector256.LoadUnsafe(ref hs, hBase + j), acc);
                }
                z[o] = w[ModelShape.Fc2Bias + o] + Vector256Sums.Sum(acc);
            }
            var predicted = 0;
            for (var o = 1; o < O; o++)
            {
                if (z[o] > z[predicted])
                {
                    predicted = o;
                }
            }
            var max = z[predicted];
            var label = labels[s];
            var labelLogit = z[label];
            var sum = 0f;
            for (var o = 0; o < O; o++)
            {
                z[o] = MathF.Exp(z[o] - max);
                sum += z[o];
            }
            var loss = MathF.Log(sum) + max - labelLogit;
            for (var o = 0; o < O; o++)
            {
                z[o] /= sum;
            }
            z[label] -= 1f;
            tally.Add(s, loss, predicted, label);
        }
        return tally.Total(n);
    }

    // Backward through fc2: dW2[o, j] = Σ_s dz[s, o] · h[s, j] in tiles of 2 classes by 40 hidden units (10
    // accumulators; each h load feeds 2 FMAs), summed over samples in sample order. Then dH = W2ᵀ dz per
    // sample, zeroed where the ReLU was off.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fc2Backward(float[] w, float[] g, int n)
    {
        ref var hs = ref _h[0];
        ref var gw = ref g[ModelShape.Fc2Weight];
        for (var o = 0; o < O; o += 2)
        {
            var db0 = 0f;
            var db1 = 0f;
            for (var s = 0; s < n; s++)
            {
                db0 += _z[s * ZStride + o];
                db1 += _z[s * ZStride + o + 1];
            }
            g[ModelShape.Fc2Bias + o] = db0;
            g[ModelShape.Fc2Bias + o + 1] = db1;
            for (nuint j = 0; j < H; j += 40)
            {
                Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default;
                Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default;
                for (var s = 0; s < n; s++)
                {
                    var d0 = Vector256.Create(_z[s * ZStride + o]);
                    var d1 = Vector256.Create(_z[s * ZStride + o + 1]);
                    var hb = (nuint)(s * HStride) + j;
                    var h0 = Vector256.LoadUnsafe(ref hs, hb);
                    a00 = Fma.MultiplyAdd(h0, d0, a00); a10 = Fma.MultiplyAdd(h0, d1, a10);
                    var h1 = Vector256.LoadUnsafe(ref hs, hb + 8);
                    a01 = Fma.MultiplyAdd(h1, d0, a01); a11 = Fma.MultiplyAdd(h1, d1, a11);
                    var h2 = Vector256.LoadUnsafe(ref hs, hb + 16);
                    a02 = Fma.MultiplyAdd(h2, d0, a02); a12 = Fma.MultiplyAdd(h2, d1, a12);
                    var h3 = Vector256.LoadUnsafe(ref hs, hb + 24);
                    a03 = Fma.MultiplyAdd(h3, d0, a03); a13 = Fma.MultiplyAdd(h3, d1, a13);
                    var h4 = Vector256.LoadUnsafe(ref hs, hb + 32);
                    a04 = Fma.MultiplyAdd(h4, d0, a04); a14 = Fma.MultiplyAdd(h4, d1, a14);
                }
                var r0 = (nuint)(o * H) + j;
                var r1 = r0 + H;
                a00.StoreUnsafe(ref gw, r0); a01.StoreUnsafe(ref gw, r0 + 8); a02.StoreUnsafe(ref gw, r0 + 16);
                a03.StoreUnsafe(ref gw, r0 + 24); a04.StoreUnsafe(ref gw, r0 + 32);
                a10.StoreUnsafe(ref gw, r1); a11.StoreUnsafe(ref gw, r1 + 8); a12.StoreUnsafe(ref gw, r1 + 16);
                a13.StoreUnsafe(ref gw, r1 + 24); a14.StoreUnsafe(ref gw, r1 + 32);
            }
        }

        ref var wt = ref w[ModelShape.Fc2Weight];
        ref var dh = ref _dh[0];
        for (var s = 0; s < n; s++)
        {
            var b = (nuint)(s * HStride);
            for (nuint j = 0; j < H; j += 8)
            {
                var acc = Vector256<float>.Zero;
                for (var o = 0; o < O; o++)
                {
                    acc = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, (nuint)(o * H) + j), Vector256.Create(_z[s * ZStride + o]), acc);
                }
                var on = Vector256.GreaterThan(Vector256.LoadUnsafe(ref hs, b + j), Vector256<float>.Zero);
                (acc & on).StoreUnsafe(ref dh, b + j);
            }
        }
    }

    // Backward through fc1, branch-free (skipping dead ReLUs would cost a mispredicted branch about every other
    // sample; adding their zero products leaves the sums unchanged). dW1[o, k] = Σ_s dH[s, o] · P2[s, k] in tiles
    // of 2 units by 32 inputs (8 accumulators; each input load feeds 2 FMAs) across the shard's samples.
    // dP2 = W1ᵀ dH per sample in blocks of 64 inputs (8 accumulators, weights read from memory), the block
    // outer so its 30 KB of weights stay in L1 while the samples pass.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fc1Backward(float[] w, float[] g, float[] p2s, float[] dp2s, int n)
    {
        ref var p2 = ref p2s[0];
        ref var dh = ref _dh[0];
        ref var gw = ref g[ModelShape.Fc1Weight];
        for (var o = 0; o < H; o++)
        {
            var db = 0f;
            for (var s = 0; s < n; s++)
            {
                db += Unsafe.Add(ref dh, s * HStride + o);
            }
            g[ModelShape.Fc1Bias + o] = db;
        }
        for (var o = 0; o < H; o += 2)
        {
            for (nuint k = 0; k < F; k += 32)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
                for (var s = 0; s < n; s++)
                {
                    var d0 = Vector256.Create(Unsafe.Add(ref dh, s * HStride + o));
                    var d1 = Vector256.Create(Unsafe.Add(ref dh, s * HStride + o + 1));
                    var ps = (nuint)(s * F) + k;
                    var x = Vector256.LoadUnsafe(ref p2, ps);
                    a0 = Fma.MultiplyAdd(x, d0, a0); b0 = Fma.MultiplyAdd(x, d1, b0);
                    x = Vector256.LoadUnsafe(ref p2, ps + 8);
                    a1 = Fma.MultiplyAdd(x, d0, a1); b1 = Fma.MultiplyAdd(x, d1, b1);
                    x = Vector256.LoadUnsafe(ref p2, ps + 16);
                    a2 = Fma.MultiplyAdd(x, d0, a2); b2 = Fma.MultiplyAdd(x, d1, b2);
                    x = Vector256.LoadUnsafe(ref p2, ps + 24);
                    a3 = Fma.MultiplyAdd(x, d0, a3); b3 = Fma.MultiplyAdd(x, d1, b3);
                }
                var r0 = (nuint)(o * F) + k;
                var r1 = r0 + F;
                a0.StoreUnsafe(ref gw, r0); a1.StoreUnsafe(ref gw, r0 + 8); a2.StoreUnsafe(ref gw, r0 + 16); a3.StoreUnsafe(ref gw, r0 + 24);
                b0.StoreUnsafe(ref gw, r1); b1.StoreUnsafe(ref gw, r1 + 8); b2.StoreUnsafe(ref gw, r1 + 16); b3.StoreUnsafe(ref gw, r1 + 24);
            }
        }

        ref var wt = ref w[ModelShape.Fc1Weight];
        ref var dp2 = ref dp2s[0];
        for (nuint k = 0; k < F; k += 64)
        {
            for (var s = 0; s < n; s++)
            {
                Vector256<float> r0 = default, r1 = default, r2 = default, r3 = default, r4 = default, r5 = default, r6 = default, r7 = default;
                for (var o = 0; o < H; o++)
                {
                    var dv = Vector256.Create(Unsafe.Add(ref dh, s * HStride + o));
                    var ro = (nuint)(o * F) + k;
                    r0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, ro), dv, r0);
                    r1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, ro + 8), dv, r1);
                    r2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, ro + 16), dv, r2);
                    r3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, ro + 24), dv, r3);
                    r4 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, ro + 32), dv, r4);
                    r5 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, ro + 40), dv, r5);
                    r6 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, ro + 48), dv, r6);
                    r7 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wt, ro + 56), dv, r7);
                }
                var ps = (nuint)(s * F) + k;
                r0.StoreUnsafe(ref dp2, ps); r1.StoreUnsafe(ref dp2, ps + 8); r2.StoreUnsafe(ref dp2, ps + 16); r3.StoreUnsafe(ref dp2, ps + 24);
                r4.StoreUnsafe(ref dp2, ps + 32); r5.StoreUnsafe(ref dp2, ps + 40); r6.StoreUnsafe(ref dp2, ps + 48); r7.StoreUnsafe(ref dp2, ps + 56);
            }
        }
    }
}
