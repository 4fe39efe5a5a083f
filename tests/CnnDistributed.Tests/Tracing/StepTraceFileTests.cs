using System.Globalization;
using System.Text.Json.Nodes;
using CnnDistributed.Coordinator.Tracing;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Tracing;

/// <summary>
/// <c>--trace FILE</c>: the Chrome trace-event file of real runs, parsed back: its tracks, the nesting of every span in
/// its step, a killed worker's fault, and the flags' usage errors.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StepTraceFileTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public void TheTraceHasATrackPerWorkerAndTheCoordinatorAndEverySpanLiesInItsStep()
    {
        using var temp = new TempDirectory();
        var file = temp.File("trace.json");

        var result = CliRunner.Run(
            "train", "--workers", "3", "--threads", "1", "--epochs", "1", "--device", "cpu", "--out", temp.File("run"),
            "--trace", file, "--trace-steps", "20", "--quiet");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var events = Events(file);
        var tracks = events.Where(e => (string)e["name"]! == "thread_name")
            .ToDictionary(e => (int)e["tid"]!, e => (string)e["args"]!["name"]!);
        var instants = events.Where(e => (string)e["ph"]! == "i").Select(e => (string)e["name"]!);
        var seen = $"tracks: {string.Join(", ", tracks.Values)}; instants: {string.Join(", ", instants)}";
        Assert.Equal("coordinator", tracks[1]);
        Assert.True(
            tracks.Values.Count(name => name.StartsWith("worker local-", StringComparison.Ordinal)) == 3, seen);
        var spans = events.Where(e => (string)e["ph"]! == "X").ToList();
        var steps = spans.Where(e => (int)e["tid"]! == 1 && ((string)e["name"]!).StartsWith("step ", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(
            Enumerable.Range(StepTrace.WarmupSteps + 1, 20).Select(s => $"step {s}"),
            steps.Select(s => (string)s["name"]!));
        foreach (var span in spans.Except(steps))
        {
            Assert.Single(steps, step => Start(step) <= Start(span) + 0.01 && End(span) <= End(step) + 0.01);
        }
        // Each step has computations, and each worker computed: the balancer may leave a slow one out of a step, but
        // not of more than RemeasureAfterSteps in a row, fewer than the steps recorded.
        var computes = spans.Where(s => (string)s["name"]! == "compute").ToList();
        Assert.All(steps, step => Assert.Contains(computes, c => Start(step) <= Start(c) && End(c) <= End(step)));
        Assert.All(tracks.Keys.Where(t => t > 1), track => Assert.Contains(computes, c => (int)c["tid"]! == track));
    }

    [Fact]
    public async Task AKilledWorkersFaultIsInTheTrace()
    {
        using var temp = new TempDirectory();
        var file = temp.File("trace.json");
        var url = $"http://127.0.0.1:{LoopbackPort.Free()}";
        var dashboard = LoopbackPort.Free();
        using var serve = CnndProcess.Start(
            temp.Path, "serve", "--insecure", "--listen", url, "--expect-workers", "2", "--metrics-port", "0",
            "--epochs", "1", "--batch-size", "16", "--device", "cpu", "--out", "run", "--trace", file,
            "--trace-steps", "100000", "--dashboard", dashboard.ToString(CultureInfo.InvariantCulture));
        using var steady = WorkerProcess.Start("--coordinator", url, "--insecure", "--name", "steady", "--threads", "1");
        using var doomed = WorkerProcess.Start("--coordinator", url, "--insecure", "--name", "doomed", "--threads", "1");
        using var client = new DashboardClient(dashboard);
        await client.WaitUntilServingAsync(Generous);
        using var deadline = new CancellationTokenSource(Generous);
        while ((long)(await client.StateAsync(deadline.Token))["step"]! < 2 * StepTrace.WarmupSteps)
        {
            await Task.Delay(20, deadline.Token);
        }

        doomed.Kill();
        var served = await serve.WaitForExitAsync();

        Assert.True(served.ExitCode == 0, served.Stderr);
        var events = Events(file);
        var doomedTrack = events.Single(e => (string)e["name"]! == "thread_name"
            && ((string)e["args"]!["name"]!).StartsWith("worker doomed", StringComparison.Ordinal))["tid"]!.GetValue<int>();
        Assert.Contains(events, e => (string)e["ph"]! == "i" && (int)e["tid"]! == doomedTrack
            && (string)e["name"]! == "worker lost");
    }

    [Theory]
    [InlineData("--workers 0 --trace t.json", "--trace records the steps of workers")]
    [InlineData("--trace no-such-folder/t.json", "--trace no-such-folder/t.json: its folder does not exist")]
    [InlineData("--trace t.json --trace-steps 0", "--trace-steps")]
    public void TraceFlagsThatCannotWorkAreOneLineUsageErrors(string flags, string expected)
    {
        using var temp = new TempDirectory();
        var arguments = flags.Split(' ')
            .Select(a => a.EndsWith(".json", StringComparison.Ordinal) ? Path.Combine(temp.Path, a) : a);

        var result = CliRunner.Run(["train", "--out", temp.File("run"), .. arguments]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected.Replace("no-such-folder", Path.Combine(temp.Path, "no-such-folder")), Assert.Single(result.StderrLines));
        Assert.False(Directory.Exists(temp.File("run")));
    }

    private static List<JsonObject> Events(string file) =>
        JsonNode.Parse(File.ReadAllText(file))!["traceEvents"]!.AsArray().Select(e => e!.AsObject()).ToList();

    private static double Start(JsonObject span) => (double)span["ts"]!;

    private static double End(JsonObject span) => (double)span["ts"]! + (double)span["dur"]!;
}
