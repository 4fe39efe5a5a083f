using System.Diagnostics;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// Runs the built <c>cnnd.dll</c> (copied beside the tests, which reference the Coordinator), or the benchmark runner
/// <c>cnnd-bench.dll</c>, as a separate process.
/// </summary>
public sealed class CnndProcess : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly string _arguments;

    private CnndProcess(Process process, string arguments)
    {
        _process = process;
        _arguments = arguments;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "cnnd.dll");

    /// <summary>The benchmark runner of bench/CnnDistributed.Bench.</summary>
    public static string BenchExecutable => Path.Combine(AppContext.BaseDirectory, "cnnd-bench.dll");

    public bool HasExited => _process.HasExited;

    /// <summary>The process id (the <c>dotnet</c> host runs the app in its own process).</summary>
    public int Id => _process.Id;

    public static Task<CliResult> RunAsync(string workingDirectory, params string[] args) =>
        RunAsync(workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>Runs <c>cnnd</c> to the end with <paramref name="environment"/> added to this process's variables.</summary>
    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        return await process.WaitForExitAsync();
    }

    /// <summary>Starts <c>cnnd</c> without waiting for it, for tests that signal or kill it mid-job.</summary>
    public static CnndProcess Start(string workingDirectory, params string[] args) =>
        Start(workingDirectory, new Dictionary<string, string>(), args);

    public static CnndProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Start(Executable, workingDirectory, environment, args);

    /// <summary>Runs <c>cnnd-bench</c> to the end in the repository root.</summary>
    public static async Task<CliResult> RunBenchAsync(params string[] args)
    {
        using var process = Start(BenchExecutable, RepositoryPaths.Root, new Dictionary<string, string>(), args);
        return await process.WaitForExitAsync();
    }

    private static CnndProcess Start(string program, string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(program);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["CI"] = "true";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return new CnndProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), $"{Path.GetFileNameWithoutExtension(program)} {string.Join(' ', args)}");
    }

    /// <summary>SIGKILL: the process ends at once, with no chance to save anything.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as a service manager sends it.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<CliResult> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_arguments} did not finish within {Timeout}");
        }
        return new CliResult(_process.ExitCode, await _stdout, await _stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
