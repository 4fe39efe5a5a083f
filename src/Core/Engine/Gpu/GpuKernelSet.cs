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
        ConvForward = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>(ForwardKernels.ConvForward));
        PoolForward = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, PoolShape>(ForwardKernels.PoolForward));
        OutputLayer = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>, ArrayView<float>,
            ArrayView<int>>(ForwardKernels.OutputLayer));
        HiddenGradient = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            BackwardKernels.HiddenGradient));
        Unpool = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, PoolShape>(
            BackwardKernels.Unpool));
        ConvInputGradient = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>(
            BackwardKernels.ConvInputGradient));
        ConvWeightGradient = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ConvShape>(
            GradientReductionKernels.ConvWeightGradient));
        BiasGradients = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>,
            ArrayView<float>>(GradientReductionKernels.BiasGradients));
        DirectGemm = Counted(accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>(
            GemmKernels.Direct));
        TiledGemm = Tile switch
        {
            GemmKernels.LargeTile => Counted(accelerator.LoadStreamKernel<
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>(GemmKernels.Tiled16)),
            GemmKernels.SmallTile => Counted(accelerator.LoadStreamKernel<
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>(GemmKernels.Tiled4)),
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

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape> ConvForward { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, PoolShape> PoolForward { get; }

    public Action<
        Index1D, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>, ArrayView<float>,
        ArrayView<int>> OutputLayer { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>
        HiddenGradient { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, PoolShape>
        Unpool { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape> ConvInputGradient { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ConvShape>
        ConvWeightGradient { get; }

    public Action<
        Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>,
        ArrayView<float>> BiasGradients { get; }

    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>
        DirectGemm { get; }

    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>?
        TiledGemm { get; }

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

    private Action<T1, T2, T3, T4, T5, T6, T7> Counted<T1, T2, T3, T4, T5, T6, T7>(
        Action<T1, T2, T3, T4, T5, T6, T7> launch) =>
        (a, b, c, d, e, f, g) =>
        {
            _traffic.Launched();
            launch(a, b, c, d, e, f, g);
        };

    /// <summary>Launches the GEMM over <paramref name="batches"/> batches (grid z when tiled).</summary>
    public void Gemm(
        ArrayView<float> a,
        ArrayView<float> b,
        ArrayView<float> c,
        ArrayView<int> starts,
        GemmShape shape,
        int batches)
    {
        if (TiledGemm is null)
        {
            DirectGemm(batches * shape.M * shape.N, a, b, c, starts, shape);
            return;
        }
        var grid = new Index3D((shape.N + Tile - 1) / Tile, (shape.M + Tile - 1) / Tile, batches);
        TiledGemm(new KernelConfig(grid, new Index3D(Tile, Tile, 1)), a, b, c, starts, shape);
    }
}
