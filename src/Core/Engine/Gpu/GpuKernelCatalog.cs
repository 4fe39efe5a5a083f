using System.Reflection;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// Every kernel entry point of the GPU backend, for ahead-of-time compilation checks (PTX without a GPU).
/// </summary>
internal static class GpuKernelCatalog
{
    /// <summary>
    /// The registers per thread a kernel may use unless its entry says why more is right (docs/gpu.md).
    /// </summary>
    public const int DefaultRegisterBudget = 64;

    /// <summary>
    /// A kernel method, whether it is explicitly grouped (uses groups and shared memory), and the most registers per
    /// thread ptxas may give it.
    /// </summary>
    public sealed record Entry(MethodInfo Method, bool ExplicitlyGrouped, int RegisterBudget = DefaultRegisterBudget)
    {
        public override string ToString() => $"{Method.DeclaringType!.Name}.{Method.Name}";
    }

    public static IReadOnlyList<Entry> All { get; } =
    [
        Implicit(typeof(ForwardKernels), nameof(ForwardKernels.ScaleInput)),
        Implicit(typeof(ForwardKernels), nameof(ForwardKernels.ConvPoolForward)),
        // One thread per sample: ForwardKernels.OutputLayer says why its registers are not a limit.
        new(Method(typeof(ForwardKernels), nameof(ForwardKernels.OutputLayer)), false, RegisterBudget: 192),
        Implicit(typeof(BackwardKernels), nameof(BackwardKernels.Unpool)),
        Implicit(typeof(BackwardKernels), nameof(BackwardKernels.UnpooledInputGradient)),
        Implicit(typeof(GradientReductionKernels), nameof(GradientReductionKernels.ConvWeightGradient)),
        Implicit(typeof(GradientReductionKernels), nameof(GradientReductionKernels.Conv1WeightAndBiasGradients)),
        Implicit(typeof(GradientTreeKernels), nameof(GradientTreeKernels.NodeSumsAndStatistics)),
        Implicit(typeof(GemmKernels), nameof(GemmKernels.Direct)),
        new(Method(typeof(GemmKernels), nameof(GemmKernels.Tiled16)), true),
        new(Method(typeof(GemmKernels), nameof(GemmKernels.Tiled4)), true),
    ];

    private static Entry Implicit(Type type, string name) => new(Method(type, name), false);

    private static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)
        ?? throw new MissingMethodException(type.Name, name);
}
