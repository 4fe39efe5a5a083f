using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Security;

/// <summary>
/// The real executables over mutual TLS: a folder from <c>cnnd certs create</c> carries a <c>cnnd serve --tls</c>
/// and <c>cnnd-worker --tls</c> run to the weights of an undisturbed run, and the workers it must refuse are refused
/// with one line each, while nothing either side prints holds key material, a stack trace or an exception name.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TlsProcessTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    /// <summary>The result-deciding options of the short job, shared by the reference and the served runs.</summary>
    private static readonly string[] JobOptions =
        ["--device", "cpu", "--batch-size", "16", "--max-steps", "20", "--quiet"];

    [Fact]
    public async Task CertsCreateFolderCarriesARealServeAndWorkerRunToTheUndisturbedWeights()
    {
        using var temp = new TempDirectory();
        var expected = Reference(temp.File("reference"));
        var folder = temp.File("tls");
        var created = await CnndProcess.RunAsync(
            temp.Path, "certs", "create", "--out", folder, "--host", "coordinator.example", "--workers", "1");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var url = $"https://127.0.0.1:{LoopbackPort.Free()}";

        using var serve = StartServe(temp, url, folder);
        using var worker = WorkerProcess.Start(
            "--coordinator", url, "--tls", folder, "--tls-name", "worker-1", "--name", "trainer", "--threads", "1");
        var served = await serve.WaitForExitAsync();

        Assert.True(served.ExitCode == 0, $"{served.Stderr}\nworker: {worker.StandardOutput}{worker.StandardError}");
        Assert.Equal(expected, ResumableJob.WeightsSha256(temp.File("run")));
        Assert.Equal(0, await worker.WaitForExitAsync(Generous));
        Assert.Contains("Worker trainer done after 20 assignments", worker.StandardOutput);
    }

    [Fact]
    public async Task RefusedWorkersAndARealRunPrintNoKeyMaterialStackTracesOrExceptionNames()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("tls");
        var foreign = temp.File("foreign");
        Assert.Equal(0, CliRunner.Run("certs", "create", "--out", folder).ExitCode);
        Assert.Equal(0, CliRunner.Run("certs", "create", "--out", foreign, "--workers", "1").ExitCode);
        var foreignCertificate = temp.File("foreign-certificate");
        Directory.CreateDirectory(foreignCertificate);
        foreach (var (from, file) in
            new[] { (folder, "ca.crt"), (foreign, "worker-1.crt"), (foreign, "worker-1.key") })
        {
            File.Copy(Path.Combine(from, file), Path.Combine(foreignCertificate, file));
        }
        var port = LoopbackPort.Free();
        var url = $"https://127.0.0.1:{port}";
        using var serve = StartServe(temp, url, folder);
        await LoopbackPort.WaitUntilListeningAsync(port, Generous);

        var refused = new[]
        {
            await RunRefusedWorkerAsync("--coordinator", url, "--tls", foreign),
            await RunRefusedWorkerAsync("--coordinator", url, "--tls", foreignCertificate, "--tls-name", "worker-1"),
            await RunRefusedWorkerAsync("--coordinator", url, "--tls", folder, "--tls-name", "coordinator"),
            await RunRefusedWorkerAsync("--coordinator", $"http://127.0.0.1:{port}", "--insecure"),
        };
        using var worker = WorkerProcess.Start("--coordinator", url, "--tls", folder, "--threads", "1");
        var served = await serve.WaitForExitAsync();

        Assert.True(served.ExitCode == 0, $"{served.Stderr}\nworker: {worker.StandardOutput}{worker.StandardError}");
        Assert.Equal(0, await worker.WaitForExitAsync(Generous));
        Assert.Single(served.StderrLines, line => IsRefusal(line, "'worker-1' is not issued by this run's CA"));
        Assert.Single(served.StderrLines, line => IsRefusal(line, "'coordinator' is not a client certificate"));
        Assert.Single(served.StderrLines, line => line.Contains("it does not speak TLS", StringComparison.Ordinal));
        string[] printed =
        [
            served.Stdout, served.Stderr, worker.StandardOutput, worker.StandardError, .. refused.SelectMany(o => o),
        ];
        LogHygiene.AssertClean(printed, folder, foreign);
    }

    private static bool IsRefusal(string line, string reason) =>
        line.Contains("Refused a TLS connection from 127.0.0.1:", StringComparison.Ordinal)
        && line.EndsWith(reason, StringComparison.Ordinal);

    private static string Reference(string directory)
    {
        var result = CliRunner.Run(["train", "--workers", "0", "--threads", "1", "--out", directory, .. JobOptions]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return ResumableJob.WeightsSha256(directory);
    }

    private static CnndProcess StartServe(TempDirectory temp, string url, string folder) => CnndProcess.Start(
        temp.Path,
        [
            "serve", "--listen", url, "--tls", folder, "--expect-workers", "1", "--join-timeout", "60", "--metrics-port", "0",
            "--out", temp.File("run"), .. JobOptions,
        ]);

    /// <summary>
    /// A worker process that must give up at once, with exit code 2 and one line on stderr: its stdout and stderr.
    /// </summary>
    private static async Task<string[]> RunRefusedWorkerAsync(params string[] transport)
    {
        using var worker = WorkerProcess.Start(
            [.. transport, "--name", "refused", "--threads", "1", "--connect-attempts", "1"]);
        Assert.Equal(2, await worker.WaitForExitAsync(Generous));
        var line = Assert.Single(worker.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: coordinator ", line);
        return [worker.StandardOutput, worker.StandardError];
    }
}
