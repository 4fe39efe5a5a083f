using System.Diagnostics;
using System.Text;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>The built worker executable (<c>cnnd-worker.dll</c>) running as its own OS process.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private WorkerProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>
    /// The worker assembly in the Worker project's own build output (the tests project references the Worker project so
    /// that it is built, in the same configuration as the tests).
    /// </summary>
    public static string AssemblyPath { get; } = FindWorkerAssembly();

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public static WorkerProcess Start(params string[] arguments) => Start("dotnet", [AssemblyPath, .. arguments]);

    /// <summary>Starts the worker with <paramref name="folder"/> as its working directory.</summary>
    public static WorkerProcess StartInFolder(string folder, params string[] arguments) =>
        Start("dotnet", [AssemblyPath, .. arguments], folder);

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts the worker inside <paramref name="network"/>, where it reaches this machine only over the namespace's veth.</summary>
    public static WorkerProcess StartIn(NetworkNamespace network, params string[] arguments) =>
        Start("ip", [.. network.Command("dotnet"), AssemblyPath, .. arguments]);

    private static WorkerProcess Start(string program, IEnumerable<string> arguments, string? folder = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder ?? Environment.CurrentDirectory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the worker process"));
    }

    /// <summary>Kills the process at once, as a crash or a pulled cable would.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private static string FindWorkerAssembly()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "CnnDistributed.sln")))
        {
            root = root.Parent;
        }
        var path = Path.Combine(root?.FullName ?? throw new InvalidOperationException("CnnDistributed.sln not found above the test output"),
            "src", "Worker", "bin", configuration, testOutput.Name, "cnnd-worker.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("worker build output not found; build src/Worker first", path);
    }

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (target)
        {
            target.AppendLine(line);
        }
    }
}
