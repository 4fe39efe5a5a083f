using CnnDistributed.Core.Engine.Gpu;
using ILGPU.Runtime.Cuda;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// Every kernel compiled ahead of time through ILGPU's real CUDA backend for Hopper (SM_90, PTX ISA 8.8), with
/// no GPU: catches constructs the PTX backend rejects (which ILGPU's CPU simulator would accept).
/// </summary>
[Trait("Category", "Unit")]
public sealed class PtxCompilationTests
{
    public static TheoryData<string> Kernels => [.. KernelPtx.Kernels];

    [Theory]
    [MemberData(nameof(Kernels))]
    public void KernelCompilesToPtxForSm90(string kernel)
    {
        var ptx = KernelPtx.Compile(kernel, CudaInstructionSet.ISA_88);

        Assert.Contains(".target sm_", ptx);
        Assert.Contains(".entry", ptx);
        Assert.Contains(kernel.Split('.')[1], ptx);
    }

    [Fact]
    public void TheCatalogListsEveryKernel()
    {
        // Every static class of the GPU namespace named for its kernels.
        var kernelTypes = typeof(GpuBackend).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(GpuBackend).Namespace && t.IsAbstract && t.IsSealed && t.Name.EndsWith("Kernels"))
            .ToList();
        Assert.Contains(typeof(GradientTreeKernels), kernelTypes);
        var declared = kernelTypes.SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)).ToHashSet();
        Assert.Equal(declared.OrderBy(m => m.Name), GpuKernelCatalog.All.Select(k => k.Method).OrderBy(m => m.Name));
    }
}
