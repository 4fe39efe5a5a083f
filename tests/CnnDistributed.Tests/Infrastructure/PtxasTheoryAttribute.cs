namespace CnnDistributed.Tests.Infrastructure;

/// <summary>A theory that runs only where scripts/ptx-check.sh has cached ptxas (or <c>CNND_PTXAS</c> names one).</summary>
public sealed class PtxasTheoryAttribute : TheoryAttribute
{
    public PtxasTheoryAttribute()
    {
        if (Path is null)
        {
            Skip = "ptxas not found: run scripts/ptx-check.sh first (it caches NVIDIA's ptxas), or set CNND_PTXAS";
        }
    }

    /// <summary>The ptxas to run: <c>CNND_PTXAS</c>, else the cache of scripts/ptx-check.sh, if it exists.</summary>
    public static string? Path { get; } = new[]
    {
        Environment.GetEnvironmentVariable("CNND_PTXAS"),
        System.IO.Path.Combine(
            Environment.GetEnvironmentVariable("CNND_CACHE")
                ?? System.IO.Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "cnnd"),
            "ptxas", "usr", "bin", "ptxas"),
    }.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
}
