using System.Diagnostics;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>Runs the built <c>cnnd.dll</c> (copied beside the tests, which reference the Coordinator) as a separate process.</summary>
public static class CnndProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "cnnd.dll");

    public static async Task<CliResult> RunAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["CI"] = "true";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        using var timeout = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cnnd {string.Join(' ', args)} did not finish within {Timeout}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
