using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// The PTX of every kernel of the GPU backend for Hopper (SM_90), compiled ahead of time through ILGPU's real CUDA
/// backend with no GPU: the PTX tests check what ILGPU accepts, and <c>scripts/ptx-check.sh</c> assembles it with
/// NVIDIA's <c>ptxas</c> for registers and spills (docs/gpu.md). The instruction set is a parameter because ptxas 11.8,
/// the one Debian ships, reads PTX ISA up to 7.8; at run time the driver's own ISA is used.
/// </summary>
public static class KernelPtx
{
    /// <summary>Every kernel, named <c>Type.Method</c>.</summary>
    public static IReadOnlyList<string> Kernels { get; } = [.. GpuKernelCatalog.All.Select(k => k.ToString())];

    /// <summary>
    /// The most registers per thread <paramref name="kernel"/> may use (64 unless the kernel says why).
    /// </summary>
    public static int RegisterBudget(string kernel) =>
        GpuKernelCatalog.All.Single(k => k.ToString() == kernel).RegisterBudget;

    /// <summary>The PTX module of <paramref name="kernel"/> (one of <see cref="Kernels"/>).</summary>
    public static string Compile(string kernel, CudaInstructionSet instructionSet)
    {
        var entry = GpuKernelCatalog.All.Single(k => k.ToString() == kernel);
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        using var backend = new PTXBackend(
            context,
            new CudaCapabilityContext(CudaArchitecture.SM_90),
            CudaArchitecture.SM_90,
            instructionSet,
            null);
        var description = entry.ExplicitlyGrouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(entry.Method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(entry.Method);
        return ((PTXCompiledKernel)backend.Compile(description, new KernelSpecialization())).PTXAssembly;
    }
}
