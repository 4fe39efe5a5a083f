using ILGPU;
using ILGPU.Runtime;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// Every kernel of the network loaded (compiled) once for one accelerator, as launchers on its default stream.
/// </summary>
internal sealed class GpuKernelSet
{
    private readonly GpuTraffic _traffic;

    /// <summary>
    /// Loads the kernels; <paramref name="gemmTile"/> is 0 (direct GEMM), 4 or 16. Every launch is counted in
    /// <paramref name="traffic"/>.
    /// </summary>
    public GpuKernelSet(Accelerator accelerator, int gemmTile, GpuTraffic traffic)
    {
        _traffic = traffic;
        if (gemmTile is not (0 or GemmKernels.SmallTile or GemmKernels.LargeTile))
        {
            throw new ArgumentOutOfRangeException(
                nameof(gemmTile),
                gemmTile,
                $"GEMM tiles are 0 (direct), {GemmKernels.SmallTile} or {GemmKernels.LargeTile}");
        }
        if (accelerator.MaxNumThreadsPerGroup < gemmTile * gemmTile)
        {
            throw new NotSupportedException(
                $"{accelerator.Name} allows {accelerator.MaxNumThreadsPerGroup} threads per group; "
                + $"{gemmTile}×{gemmTile} GEMM tiles need {gemmTile * gemmTile}");
        }
        Tile = gemmTile;
        ScaleInput = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<byte>, ArrayView<float>, float, float>(ForwardKernels.ScaleInput));
        ConvPoolForward = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ConvShape>(
            ForwardKernels.ConvPoolForward));
        OutputLayer = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>, ArrayView<float>,
            ArrayView<int>, ArrayView<float>>(ForwardKernels.OutputLayer));
        Unpool = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, PoolShape>(
            BackwardKernels.Unpool));
        UnpooledInputGradient = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ConvShape,
            PoolShape>(BackwardKernels.UnpooledInputGradient));
        ConvWeightGradient = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ConvShape>(
            GradientReductionKernels.ConvWeightGradient));
        Conv1WeightAndBiasGradients = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<int>, ArrayView<float>, ConvShape, int>(GradientReductionKernels.Conv1WeightAndBiasGradients));
        NodeSumsAndStatistics = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<int>, int, int, ArrayView<float>, ArrayView<int>, ArrayView<byte>,
            ArrayView<float>, ArrayView<double>>(GradientTreeKernels.NodeSumsAndStatistics));
        DirectGemm = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<int>, GemmPair>(GemmKernels.Direct));
        TiledGemm = Tile switch
        {
            GemmKernels.LargeTile => Counted(accelerator.LoadStreamKernel<
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<int>, GemmPair>(GemmKernels.Tiled16)),
            GemmKernels.SmallTile => Counted(accelerator.LoadStreamKernel<
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<int>, GemmPair>(GemmKernels.Tiled4)),
            _ => null,
        };
    }

    /// <summary>
    /// The automatic GEMM tile for an accelerator: 16 where groups of 256 threads exist (GPUs), else the direct
    /// kernel (0).
    /// </summary>
    public static int DefaultTile(Accelerator accelerator) =>
        accelerator.MaxNumThreadsPerGroup >= GemmKernels.LargeTile * GemmKernels.LargeTile ? GemmKernels.LargeTile : 0;

    /// <summary>The GEMM tile side in use; 0 for the direct kernel.</summary>
    public int Tile { get; }

    public Action<Index1D, ArrayView<byte>, ArrayView<float>, float, float> ScaleInput { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ConvShape>
        ConvPoolForward { get; }

    public Action<
        Index1D, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>, ArrayView<float>,
        ArrayView<int>, ArrayView<float>> OutputLayer { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, PoolShape>
        Unpool { get; }

    public Action<
        Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ConvShape,
        PoolShape> UnpooledInputGradient { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ConvShape>
        ConvWeightGradient { get; }

    public Action<
        Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<int>, ArrayView<float>, ConvShape, int> Conv1WeightAndBiasGradients { get; }

    public Action<
        Index1D, ArrayView<float>, ArrayView<int>, int, int, ArrayView<float>, ArrayView<int>, ArrayView<byte>,
        ArrayView<float>, ArrayView<double>> NodeSumsAndStatistics { get; }

    private Action<
        Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<int>, GemmPair> DirectGemm { get; }

    private Action<
        KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<int>, GemmPair>? TiledGemm { get; }

    // Each launcher wrapped so that every launch is counted.
    private Action<T1, T2, T3, T4, T5> Counted<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> launch) =>
        (a, b, c, d, e) =>
        {
            _traffic.Launched();
            launch(a, b, c, d, e);
        };

    private Action<T1, T2, T3, T4, T5, T6> Counted<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> launch) =>
        (a, b, c, d, e, f) =>
        {
            _traffic.Launched();
            launch(a, b, c, d, e, f);
        };

    private Action<T1, T2, T3, T4, T5, T6, T7, T8> Counted<T1, T2, T3, T4, T5, T6, T7, T8>(
        Action<T1, T2, T3, T4, T5, T6, T7, T8> launch) =>
        (a, b, c, d, e, f, g, h) =>
        {
            _traffic.Launched();
            launch(a, b, c, d, e, f, g, h);
        };

    private Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> Counted<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(
        Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> launch) =>
        (a, b, c, d, e, f, g, h, i, j) =>
        {
            _traffic.Launched();
            launch(a, b, c, d, e, f, g, h, i, j);
        };

    /// <summary>Launches the GEMM over <paramref name="batches"/> batches (grid z when tiled).</summary>
    public void Gemm(
        ArrayView<float> a,
        ArrayView<float> b,
        ArrayView<float> c,
        ArrayView<int> starts,
        GemmShape shape,
        int batches) =>
        Launch(a, b, a, b, c, starts, GemmPair.Single(shape, batches), batches);

    /// <summary>
    /// Launches two GEMMs of <paramref name="batches"/> batches each at once: <paramref name="first"/> on
    /// (<paramref name="a1"/>, <paramref name="b1"/>) and <paramref name="second"/> on (<paramref name="a2"/>,
    /// <paramref name="b2"/>), both into <paramref name="c"/>.
    /// </summary>
    public void Gemms(
        ArrayView<float> a1,
        ArrayView<float> b1,
        GemmShape first,
        ArrayView<float> a2,
        ArrayView<float> b2,
        GemmShape second,
        ArrayView<float> c,
        ArrayView<int> starts,
        int batches) =>
        Launch(a1, b1, a2, b2, c, starts, new GemmPair(first, batches, second), 2 * batches);

    private void Launch(
        ArrayView<float> a1,
        ArrayView<float> b1,
        ArrayView<float> a2,
        ArrayView<float> b2,
        ArrayView<float> c,
        ArrayView<int> starts,
        GemmPair pair,
        int batches)
    {
        GemmShape first = pair.First, second = pair.Second;
        var secondBatches = batches - pair.FirstBatches;
        if (TiledGemm is null)
        {
            var elements = pair.FirstBatches * first.M * first.N + secondBatches * second.M * second.N;
            DirectGemm(elements, a1, b1, a2, b2, c, starts, pair);
            return;
        }
        var grid = new Index3D(
            (Math.Max(first.N, second.N) + Tile - 1) / Tile, (Math.Max(first.M, second.M) + Tile - 1) / Tile, batches);
        TiledGemm(new KernelConfig(grid, new Index3D(Tile, Tile, 1)), a1, b1, a2, b2, c, starts, pair);
    }
}
