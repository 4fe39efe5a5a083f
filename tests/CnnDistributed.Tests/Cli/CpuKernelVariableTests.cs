using System.Text.Json;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Cli;

/// <summary>
/// <c>CNND_CPU_KERNEL</c> on the built executable. <c>DOTNET_EnableAVX512=0</c> makes the runtime treat this CPU as
/// one without AVX-512, as an AVX2-only machine would be.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CpuKernelVariableTests
{
    private static readonly string[] ShortRun = ["train", "--max-steps", "4", "--epochs", "1", "--out", "run", "--quiet"];

    [Fact]
    public async Task UnknownCpuKernelExitsWithCodeTwoAndOneLineNamingTheVariable()
    {
        using var temp = new TempDirectory();

        var result = await CnndProcess.RunAsync(temp.Path, new Dictionary<string, string> { ["CNND_CPU_KERNEL"] = "bogus" }, ShortRun);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: CNND_CPU_KERNEL=bogus: expected avx512, avx2 or portable (or unset for the best this CPU supports)", Assert.Single(result.StderrLines));
        Assert.Empty(result.Stdout);
        Assert.False(Directory.Exists(temp.File("run")));
    }

    [Fact]
    public async Task Avx512KernelOnACpuWithoutItExitsWithCodeTwoNamingTheVariable()
    {
        using var temp = new TempDirectory();
        var environment = new Dictionary<string, string> { ["CNND_CPU_KERNEL"] = "avx512", ["DOTNET_EnableAVX512"] = "0" };

        var result = await CnndProcess.RunAsync(temp.Path, environment, ShortRun);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: CNND_CPU_KERNEL=avx512: this CPU cannot run the avx512 kernel", Assert.Single(result.StderrLines));
        Assert.False(Directory.Exists(temp.File("run")));
    }

    [Fact]
    public async Task Avx2KernelTrainsAndReportsDeviceCpuAvx2()
    {
        using var temp = new TempDirectory();

        var result = await CnndProcess.RunAsync(temp.Path, new Dictionary<string, string> { ["CNND_CPU_KERNEL"] = "avx2" }, ShortRun);

        Assert.Equal(0, result.ExitCode);
        using var summary = JsonDocument.Parse(File.ReadAllText(temp.File("run/summary.json")));
        Assert.Equal("cpu-avx2", summary.RootElement.GetProperty("device").GetString());
        Assert.Equal(4, summary.RootElement.GetProperty("steps").GetInt64());
    }

    [Fact]
    public async Task Avx2KernelGivesTheSameWeightsWhetherOrNotTheCpuHasAvx512()
    {
        using var temp = new TempDirectory();
        var digests = new List<string?>();
        foreach (var avx512 in new[] { "1", "0" })
        {
            var environment = new Dictionary<string, string> { ["CNND_CPU_KERNEL"] = "avx2", ["DOTNET_EnableAVX512"] = avx512 };
            var outDir = $"run-{avx512}";
            var result = await CnndProcess.RunAsync(temp.Path, environment, "train", "--max-steps", "20", "--epochs", "1", "--workers", "0", "--momentum", "0.9", "--out", outDir, "--quiet");
            Assert.Equal(0, result.ExitCode);
            using var summary = JsonDocument.Parse(File.ReadAllText(temp.File($"{outDir}/summary.json")));
            Assert.Equal("cpu-avx2", summary.RootElement.GetProperty("device").GetString());
            digests.Add(summary.RootElement.GetProperty("weights_sha256").GetString());
        }

        Assert.Equal(digests[0], digests[1]);
    }
}
