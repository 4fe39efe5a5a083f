using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Hosting.Tls;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Faults;

/// <summary>
/// A coordinator killed (SIGKILL) between checkpoints or stopped (SIGTERM) and started again with --resume finishes
/// the job with the weights of an uninterrupted run; a remote worker rejoins the restarted coordinator by itself.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CoordinatorRestartTests
{
    [Fact]
    public async Task CoordinatorKilledBetweenCheckpointsAndResumedGivesTheUninterruptedWeights()
    {
        using var temp = new TempDirectory();
        var expected = ResumableJob.Reference(temp.File("reference"));
        var url = $"https://127.0.0.1:{LoopbackPort.Free()}";
        var outDir = temp.File("run");
        var certificates = temp.File("tls");
        TlsDirectory.Create(certificates, [], 0, TimeSpan.FromDays(1), TimeProvider.System);
        string[] serve = ["serve", "--listen", url, "--tls", certificates, "--expect-workers", "1", "--join-timeout", "60", "--metrics-port", "0"];

        using var worker = WorkerProcess.Start(
            "--coordinator", url, "--tls", certificates, "--device", "cpu", "--threads", "1", "--name", "remote", "--reconnect-timeout", "60");
        using (var first = CnndProcess.Start(temp.Path, [.. serve, "--out", outDir, "--checkpoint-every", "10", .. ResumableJob.Options]))
        {
            await ResumableJob.WaitForCheckpointAsync(outDir, first);
            first.Kill();
            await first.WaitForExitAsync();
        }
        var interruptedAt = CheckpointFile.Read(ResumableJob.CheckpointPath(outDir)).Step;
        var resumed = await CnndProcess.RunAsync(temp.Path, [.. serve, "--resume", outDir, "--quiet"]);

        Assert.True(resumed.ExitCode == 0, $"{resumed.Stderr}\nworker: {worker.StandardOutput}{worker.StandardError}");
        Assert.InRange(interruptedAt, 10, ResumableJob.MaxSteps - 1);
        Assert.Equal(expected, ResumableJob.WeightsSha256(outDir));
        Assert.Equal(ResumableJob.DeterministicMetrics(temp.File("reference")), ResumableJob.DeterministicMetrics(outDir));
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("trying to rejoin", worker.StandardOutput);
    }

    [Fact]
    public async Task SigtermWritesACheckpointExitsWith143AndResumeFinishesTheJob()
    {
        using var temp = new TempDirectory();
        var expected = ResumableJob.Reference(temp.File("reference"));
        var outDir = temp.File("run");
        using var run = CnndProcess.Start(temp.Path, ["train", "--workers", "2", "--threads", "1", "--out", outDir, "--checkpoint-every", "20", .. ResumableJob.Options]);
        await ResumableJob.WaitForCheckpointAsync(outDir, run);

        run.Terminate();
        var stopped = await run.WaitForExitAsync();
        var checkpoint = CheckpointFile.Read(ResumableJob.CheckpointPath(outDir));
        var resumed = CliRunner.Run("train", "--resume", outDir, "--workers", "1", "--threads", "1", "--quiet");

        Assert.Equal(143, stopped.ExitCode);
        Assert.Contains("stopped by SIGTERM: checkpoint written to", stopped.Stderr);
        Assert.InRange(checkpoint.Step, 1, ResumableJob.MaxSteps - 1);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(expected, ResumableJob.WeightsSha256(outDir));
        Assert.Equal(ResumableJob.DeterministicMetrics(temp.File("reference")), ResumableJob.DeterministicMetrics(outDir));
    }
}
