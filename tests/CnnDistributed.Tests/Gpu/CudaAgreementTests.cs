using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Core.Engine.Gpu;
using CnnDistributed.GpuCheck;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Gpu;

/// <summary>The full agreement check of <see cref="AgreementChecks"/> on a real CUDA GPU; skipped without one.</summary>
[Trait("Category", "Gpu")]
public sealed class CudaAgreementTests
{
    [CudaFact]
    public void EveryAgreementCheckPassesOnTheCudaDevice()
    {
        using var backend = (GpuBackend)ComputeBackendFactory.CreateFor(ComputeDevice.Cuda, 1, InputScaling.UnitRange);
        using var normalized = (GpuBackend)ComputeBackendFactory.CreateFor(ComputeDevice.Cuda, 1, InputScaling.MnistNormalized);
        var failures = AgreementChecks.Run(backend, normalized, SampleShards.Dataset, Console.Out);
        Assert.True(failures == 0, $"{failures} GPU agreement checks failed on {backend.DeviceKind}");
        Assert.StartsWith("cuda-", backend.DeviceKind);
        Assert.Equal(GemmKernels.LargeTile, backend.GemmTile);
    }
}
