using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CnnDistributed.Coordinator.Dashboard;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Dashboard;

/// <summary>
/// <c>cnnd train --dashboard PORT</c> and <c>cnnd serve --run DIR --dashboard PORT</c> as real processes, read by a
/// plain <see cref="HttpClient"/>: events in time with <c>metrics.jsonl</c>, resumption after <c>Last-Event-ID</c>,
/// a finished run served from its files.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DashboardProcessTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EachEpochEventArrivesWithinOneSecondOfItsMetricsLine()
    {
        using var run = await WatchedRun.StartAsync(epochs: 4);
        var (train, client) = (run.Process, run.Client);
        var metricsFile = Path.Combine(run.Folder, "metrics.jsonl");
        using var stop = new CancellationTokenSource(Generous);
        var linesSeenAt = new List<long>();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var lines = File.Exists(metricsFile) ? File.ReadAllLines(metricsFile).Length : 0;
                lock (linesSeenAt)
                {
                    while (linesSeenAt.Count < lines)
                    {
                        linesSeenAt.Add(Stopwatch.GetTimestamp());
                    }
                }
                await Task.Delay(10);
            }
        });

        var arrivedAt = new Dictionary<int, long>();
        await foreach (var (item, received) in client.EventsAsync(null, stop.Token))
        {
            if (item.EventType == "epoch")
            {
                arrivedAt[received["data"]!["epoch"]!.GetValue<int>()] = Stopwatch.GetTimestamp();
            }
            if (item.EventType is "finished" or "failed")
            {
                break;
            }
        }
        await Task.Delay(200);
        await stop.CancelAsync();
        await watcher;

        Assert.Equal(0, (await train.WaitForExitAsync()).ExitCode);
        Assert.Equal([1, 2, 3, 4], arrivedAt.Keys.Order());
        lock (linesSeenAt)
        {
            Assert.Equal(4, linesSeenAt.Count);
            foreach (var (epoch, arrived) in arrivedAt)
            {
                var late = Stopwatch.GetElapsedTime(linesSeenAt[epoch - 1], arrived);
                Assert.True(late < TimeSpan.FromSeconds(1), $"epoch {epoch}'s event came {late} after its line");
            }
        }
    }

    [Fact]
    public async Task AReconnectWithLastEventIdMissesAndRepeatsNothing()
    {
        using var run = await WatchedRun.StartAsync(epochs: 3);
        var (train, client) = (run.Process, run.Client);
        using var stop = new CancellationTokenSource(Generous);

        var ids = new List<long>();
        await foreach (var (item, _) in client.EventsAsync(null, stop.Token))
        {
            ids.Add(long.Parse(item.EventId!, CultureInfo.InvariantCulture));
            if (ids.Count == 5)
            {
                break;
            }
        }
        await Task.Delay(500);
        string? last = null;
        await foreach (var (item, received) in client.EventsAsync(ids[^1], stop.Token))
        {
            ids.Add(received["id"]!.GetValue<long>());
            last = item.EventType;
            if (item.EventType is "finished" or "failed")
            {
                break;
            }
        }

        Assert.Equal(0, (await train.WaitForExitAsync()).ExitCode);
        Assert.Equal("finished", last);
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task ARunEndsWhileAClientStillFollowsItsEvents()
    {
        using var run = await WatchedRun.StartAsync(epochs: 2);
        var (train, client) = (run.Process, run.Client);
        using var stop = new CancellationTokenSource(Generous);

        var types = new List<string>();
        var finishedAt = 0L;
        await foreach (var (item, _) in client.EventsAsync(null, stop.Token))
        {
            types.Add(item.EventType);
            if (item.EventType == "finished")
            {
                finishedAt = Stopwatch.GetTimestamp();
            }
        }
        var exit = await train.WaitForExitAsync();

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal("finished", types[^1]);
        Assert.True(
            Stopwatch.GetElapsedTime(finishedAt) < TimeSpan.FromSeconds(20),
            "the stream stayed open long after the run finished: the endpoint waited for its client");
    }

    [Fact]
    public async Task AFinishedRunIsServedFromItsFolderWithoutWorkers()
    {
        using var temp = new TempDirectory();
        var run = temp.File("run");
        var trained = await CnndProcess.RunAsync(
            temp.Path, "train", "--workers", "0", "--epochs", "2", "--max-steps", "150", "--out", run, "--quiet");
        Assert.True(trained.ExitCode == 0, trained.Stderr);
        var port = LoopbackPort.Free();

        using var serve = CnndProcess.Start(temp.Path, "serve", "--run", run, "--dashboard", port.ToString());
        using var client = new DashboardClient(port);
        var state = await client.WaitUntilServingAsync(Generous);
        using var page = await client.GetAsync("/");
        var html = await page.Content.ReadAsByteArrayAsync();
        serve.Terminate();
        var served = await serve.WaitForExitAsync();

        Assert.Equal(0, served.ExitCode);
        Assert.Contains($"dashboard: http://127.0.0.1:{port}/", served.Stdout);
        Assert.Equal("run", state["run_id"]!.GetValue<string>());
        Assert.Equal("finished", state["status"]!.GetValue<string>());
        Assert.Equal(2, state["epoch_metrics"]!.AsArray().Count);
        Assert.Equal(2, state["points"]!.AsArray().Count);
        Assert.Empty(state["workers"]!.AsArray());
        Assert.Equal(150, state["step"]!.GetValue<long>());
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
        var finished = state["recent_events"]!.AsArray().Last()!;
        Assert.Equal("finished", finished["type"]!.GetValue<string>());
        Assert.Equal(summary["weights_sha256"]!.GetValue<string>(), finished["data"]!["weights_sha256"]!.GetValue<string>());
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        Assert.InRange(html.Length, 1, 200 * 1024);
        Assert.StartsWith("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("serve", "--run", "some-run")]
    [InlineData("train", "--dashboard", "0", "--dashboard-listen", "localhost")]
    [InlineData("train", "--dashboard", "70000")]
    [InlineData("train", "--dashboard", "x")]
    public void BadDashboardFlagsAreOneLineUsageErrors(params string[] args)
    {
        using var temp = new TempDirectory();

        var result = CliRunner.Run([.. args, "--out", temp.File("run")]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains(args[1] == "--run" ? "--run" : args[^2] == "--dashboard-listen" ? "--dashboard-listen" : "--dashboard", line);
        Assert.False(Directory.Exists(temp.File("run")));
    }

    [Fact]
    public async Task ADashboardPortAlreadyTakenIsAUsageError()
    {
        using var temp = new TempDirectory();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var result = await CnndProcess.RunAsync(
            temp.Path, "train", "--workers", "0", "--epochs", "1", "--out", temp.File("run"), "--dashboard",
            port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: --dashboard {port}:", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void TheDefaultPortIsTheDocumentedOne()
    {
        var documented = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "dashboard.md"));

        Assert.Contains($"`--dashboard` alone serves on port {DashboardEndpoint.DefaultPort}", documented);
    }

    /// <summary>A <c>cnnd train --dashboard PORT</c> process whose dashboard answers, and a client of it.</summary>
    private sealed class WatchedRun : IDisposable
    {
        private readonly TempDirectory _temp = new();

        private WatchedRun(int port, int epochs)
        {
            Process = CnndProcess.Start(
                _temp.Path, "train", "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--batch-size", "32",
                "--device", "cpu", "--out", "run", "--dashboard", port.ToString(CultureInfo.InvariantCulture));
            Client = new DashboardClient(port);
        }

        public CnndProcess Process { get; }

        public DashboardClient Client { get; }

        /// <summary>The run's --out folder.</summary>
        public string Folder => _temp.File("run");

        public static async Task<WatchedRun> StartAsync(int epochs)
        {
            var run = new WatchedRun(LoopbackPort.Free(), epochs);
            await run.Client.WaitUntilServingAsync(Generous);
            return run;
        }

        public void Dispose()
        {
            Client.Dispose();
            Process.Dispose();
            _temp.Dispose();
        }
    }
}
