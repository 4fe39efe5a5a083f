using CnnDistributed.Core.Engine.Gpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// Every kernel compiled ahead of time through ILGPU's real CUDA backend for Hopper (SM_90, PTX ISA 8.8), with
/// no GPU: catches constructs the PTX backend rejects (which ILGPU's CPU simulator would accept).
/// </summary>
[Trait("Category", "Unit")]
public sealed class PtxCompilationTests
{
    public static TheoryData<string> Kernels => [.. GpuKernelCatalog.All.Select(k => k.ToString())];

    [Theory]
    [MemberData(nameof(Kernels))]
    public void KernelCompilesToPtxForSm90(string kernel)
    {
        var entry = GpuKernelCatalog.All.Single(k => k.ToString() == kernel);
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_88, null);
        var description = entry.ExplicitlyGrouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(entry.Method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(entry.Method);
        var compiled = (PTXCompiledKernel)backend.Compile(description, new KernelSpecialization());
        Assert.Contains(".target sm_", compiled.PTXAssembly);
        Assert.Contains(".entry", compiled.PTXAssembly);
        Assert.Contains(entry.Method.Name, compiled.PTXAssembly);
    }

    [Fact]
    public void TheCatalogListsEveryKernel()
    {
        var kernelTypes = new[] { typeof(ForwardKernels), typeof(BackwardKernels), typeof(GradientReductionKernels), typeof(GemmKernels) };
        var declared = kernelTypes.SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)).ToHashSet();
        Assert.Equal(declared.OrderBy(m => m.Name), GpuKernelCatalog.All.Select(k => k.Method).OrderBy(m => m.Name));
    }
}
