using System.Globalization;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Deployment;

/// <summary>
/// <c>cnnd serve</c> and <c>cnnd-worker</c> started in a folder with hundreds of subfolders hold no inotify watch on
/// them (<see cref="Hosting.HostSettings"/>): the .NET host defaults would watch every folder below the working
/// directory for a changed <c>appsettings.json</c>, one inotify watch each (in a home directory or a container's root,
/// thousands, and past <c>fs.inotify.max_user_watches</c> a failed start). Counted in /proc/PID/fdinfo.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WorkingDirectoryWatchTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CoordinatorAndWorkerStartedInADeepFolderTreeWatchNoneOfIt()
    {
        using var temp = new TempDirectory();
        for (var i = 0; i < 200; i++)
        {
            Directory.CreateDirectory(Path.Combine(temp.Path, "tree", $"a{i}", "b"));
        }
        var (port, dashboard, health) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        using var serve = CnndProcess.Start(
            temp.Path,
            "serve", "--listen", $"http://127.0.0.1:{port}", "--insecure", "--expect-workers", "1", "--join-timeout",
            "60", "--metrics-port", "0", "--health-port", Text(health), $"--dashboard={Text(dashboard)}", "--epochs",
            "100", "--out", temp.File("run"));
        foreach (var listening in new[] { port, dashboard, health })
        {
            await LoopbackPort.WaitUntilListeningAsync(listening, Generous);
        }
        using var worker = WorkerProcess.StartInFolder(
            temp.Path, "--coordinator", $"http://127.0.0.1:{port}", "--insecure", "--threads", "1", "--name", "w");
        using (var client = new DashboardClient(dashboard))
        {
            await WaitUntilAsync(async () => (await client.StateAsync())["workers"]!.AsArray().Count > 0);
        }

        var (coordinatorWatches, workerWatches) = (InotifyWatches(serve.Id), InotifyWatches(worker.Id));

        Assert.True(coordinatorWatches < 5, $"cnnd serve holds {coordinatorWatches} inotify watches");
        Assert.True(workerWatches < 5, $"cnnd-worker holds {workerWatches} inotify watches");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The inotify watches a process holds: one <c>inotify wd:</c> line per watch in its fds' fdinfo.</summary>
    private static int InotifyWatches(int pid) =>
        Directory.EnumerateFiles($"/proc/{pid}/fdinfo")
            .Sum(file =>
            {
                try
                {
                    return File.ReadLines(file).Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));
                }
                catch (IOException)
                {
                    return 0; // the fd closed while we read
                }
            });

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
