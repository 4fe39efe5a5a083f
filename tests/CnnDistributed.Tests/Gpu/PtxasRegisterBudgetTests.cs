using System.Diagnostics;
using System.Text.RegularExpressions;
using CnnDistributed.Core.Engine.Gpu;
using CnnDistributed.Tests.Infrastructure;
using ILGPU.Runtime.Cuda;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// Every kernel assembled by NVIDIA's ptxas for sm_90 (docs/gpu.md) stays within its register budget, 64 per thread
/// unless the kernel says why more is right, with no spill. Needs the ptxas that scripts/ptx-check.sh caches (CI runs
/// it first); skipped with the reason where it is missing.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class PtxasRegisterBudgetTests
{
    public static TheoryData<string> Kernels => [.. KernelPtx.Kernels];

    [PtxasTheory]
    [MemberData(nameof(Kernels))]
    public void KernelStaysWithinItsRegisterBudgetWithoutSpills(string kernel)
    {
        using var folder = new TempDirectory();
        var ptx = Path.Combine(folder.Path, "kernel.ptx");
        File.WriteAllText(ptx, KernelPtx.Compile(kernel, CudaInstructionSet.ISA_78));

        var report = Ptxas(ptx);

        var registers = int.Parse(UsedRegisters().Match(report).Groups[1].Value);
        Assert.InRange(registers, 1, KernelPtx.RegisterBudget(kernel));
        Assert.All(SpillBytes().Matches(report), m => Assert.Equal("0", m.Groups[1].Value));
        Assert.NotEmpty(SpillBytes().Matches(report));
    }

    private static string Ptxas(string ptx)
    {
        using var process = Process.Start(new ProcessStartInfo(PtxasTheoryAttribute.Path!, ["-arch=sm_90", "-v", ptx, "-o", "/dev/null"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var report = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, report);
        return report;
    }

    [GeneratedRegex(@"Used (\d+) registers")]
    private static partial Regex UsedRegisters();

    [GeneratedRegex(@"(\d+) bytes spill (?:stores|loads)")]
    private static partial Regex SpillBytes();
}
