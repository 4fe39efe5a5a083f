using ILGPU;
using ILGPU.Runtime;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// Every kernel of the network loaded (compiled) once for one accelerator, as launchers on its default stream.
/// </summary>
internal sealed class GpuKernelSet
{
    /// <summary>Loads the kernels; <paramref name="gemmTile"/> is 0 (direct GEMM), 4 or 16.</summary>
    public GpuKernelSet(Accelerator accelerator, int gemmTile)
    {
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
        ScaleInput = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<byte>, ArrayView<float>, float, float>(ForwardKernels.ScaleInput);
        ConvForward = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>(ForwardKernels.ConvForward);
        PoolForward = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, PoolShape>(ForwardKernels.PoolForward);
        OutputLayer = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>, ArrayView<float>,
            ArrayView<int>>(ForwardKernels.OutputLayer);
        HiddenGradient = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            BackwardKernels.HiddenGradient);
        Unpool = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, PoolShape>(
            BackwardKernels.Unpool);
        ConvInputGradient = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape>(
            BackwardKernels.ConvInputGradient);
        ConvWeightGradient = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ConvShape>(
            GradientReductionKernels.ConvWeightGradient);
        BiasGradient = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, BiasShape>(
            GradientReductionKernels.BiasGradient);
        DirectGemm = accelerator.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>(
            GemmKernels.Direct);
        TiledGemm = Tile switch
        {
            GemmKernels.LargeTile => accelerator.LoadStreamKernel<
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>(GemmKernels.Tiled16),
            GemmKernels.SmallTile => accelerator.LoadStreamKernel<
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>(GemmKernels.Tiled4),
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

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, BiasShape> BiasGradient { get; }


    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>
        DirectGemm { get; }

    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, GemmShape>?
        TiledGemm { get; }

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
