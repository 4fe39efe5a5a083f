using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Core.Engine.Gpu;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// GPU backends on ILGPU's CPU simulator, compiled once for all simulator tests (which run one after another
/// in one collection: every simulated GPU thread is an OS thread, and the machine has two cores).
/// </summary>
public sealed class GpuSimulatorFixture : IDisposable
{
    private readonly Lazy<GpuBackend> _unitRange = new(() => ComputeBackendFactory.CreateGpuBackendOnCpuSimulator(InputScaling.UnitRange));
    private readonly Lazy<GpuBackend> _normalized = new(() => ComputeBackendFactory.CreateGpuBackendOnCpuSimulator(InputScaling.MnistNormalized));
    private readonly Lazy<GpuBackend> _tiled = new(() => ComputeBackendFactory.CreateGpuBackendOnCpuSimulator(InputScaling.UnitRange, GemmKernels.SmallTile));

    /// <summary>Direct GEMM, inputs in [0, 1].</summary>
    public GpuBackend UnitRange => _unitRange.Value;

    /// <summary>Direct GEMM, MNIST-normalized inputs.</summary>
    public GpuBackend Normalized => _normalized.Value;

    /// <summary>4×4 shared-memory GEMM tiles, inputs in [0, 1].</summary>
    public GpuBackend Tiled => _tiled.Value;

    public GpuBackend For(InputScaling scaling) => scaling == InputScaling.UnitRange ? UnitRange : Normalized;

    public void Dispose()
    {
        foreach (var backend in new[] { _unitRange, _normalized, _tiled }.Where(b => b.IsValueCreated))
        {
            backend.Value.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GpuSimulatorCollection : ICollectionFixture<GpuSimulatorFixture>
{
    public const string Name = "GPU kernels on ILGPU's CPU simulator";
}
