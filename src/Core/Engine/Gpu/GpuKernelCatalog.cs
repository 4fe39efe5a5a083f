using System.Reflection;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// Every kernel entry point of the GPU backend, for ahead-of-time compilation checks (PTX without a GPU).
/// </summary>
internal static class GpuKernelCatalog
{
    /// <summary>A kernel method and whether it is explicitly grouped (uses groups and shared memory).</summary>
    public sealed record Entry(MethodInfo Method, bool ExplicitlyGrouped)
    {
        public override string ToString() => $"{Method.DeclaringType!.Name}.{Method.Name}";
    }

    public static IReadOnlyList<Entry> All { get; } =
    [
        Implicit(typeof(ForwardKernels), nameof(ForwardKernels.ScaleInput)),
        Implicit(typeof(ForwardKernels), nameof(ForwardKernels.ConvForward)),
        Implicit(typeof(ForwardKernels), nameof(ForwardKernels.PoolForward)),
        Implicit(typeof(ForwardKernels), nameof(ForwardKernels.OutputLayer)),
        Implicit(typeof(BackwardKernels), nameof(BackwardKernels.HiddenGradient)),
        Implicit(typeof(BackwardKernels), nameof(BackwardKernels.Unpool)),
        Implicit(typeof(BackwardKernels), nameof(BackwardKernels.ConvInputGradient)),
        Implicit(typeof(GradientReductionKernels), nameof(GradientReductionKernels.ConvWeightGradient)),
        Implicit(typeof(GradientReductionKernels), nameof(GradientReductionKernels.BiasGradient)),
        Implicit(typeof(GemmKernels), nameof(GemmKernels.Direct)),
        new(Method(typeof(GemmKernels), nameof(GemmKernels.Tiled16)), true),
        new(Method(typeof(GemmKernels), nameof(GemmKernels.Tiled4)), true),
    ];

    private static Entry Implicit(Type type, string name) => new(Method(type, name), false);

    private static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)
        ?? throw new MissingMethodException(type.Name, name);
}
