using System.Diagnostics;
using System.Globalization;
using CnnDistributed.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CnnDistributed.Tests.Dashboard;

/// <summary>
/// The dashboard page in a real browser (Chromium driven by Playwright) while <c>cnnd serve</c> trains on two worker
/// processes, one of which is killed. The screenshot it takes is kept in TestResults/dashboard.png.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Browser")]
public sealed class DashboardBrowserTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [ChromiumFact]
    public async Task ThePageShowsCurvesAndWorkersAndAKilledWorkersFaultAndState()
    {
        using var temp = new TempDirectory();
        var url = $"http://127.0.0.1:{LoopbackPort.Free()}";
        var port = LoopbackPort.Free();
        var started = Stopwatch.StartNew();
        using var serve = CnndProcess.Start(
            temp.Path, "serve", "--insecure", "--listen", url, "--expect-workers", "2", "--metrics-port", "0",
            "--epochs", "60", "--batch-size", "32", "--device", "cpu", "--out", "run",
            "--dashboard", port.ToString(CultureInfo.InvariantCulture));
        using var steady = WorkerProcess.Start("--coordinator", url, "--insecure", "--name", "steady", "--threads", "1");
        using var doomed = WorkerProcess.Start("--coordinator", url, "--insecure", "--name", "doomed", "--threads", "1");
        using var client = new DashboardClient(port);
        await client.WaitUntilServingAsync(Generous);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(client.Address.ToString());

        var tenSeconds = (float)Math.Max(0, 10_000 - started.Elapsed.TotalMilliseconds);
        await page.Locator("svg#loss .curve.train_loss").WaitForAsync(new() { Timeout = tenSeconds });
        await page.WaitForFunctionAsync(
            "document.querySelectorAll('#workers tr.connected').length === 2",
            null,
            new() { Timeout = (float)Math.Max(0, 10_000 - started.Elapsed.TotalMilliseconds) });
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"curves and workers after {started.Elapsed}");

        doomed.Kill();
        await page.Locator("#events li.fault", new() { HasText = "worker doomed" })
            .WaitForAsync(new() { Timeout = (float)Generous.TotalMilliseconds });
        await page.Locator("#workers tr.lost[data-worker='doomed']")
            .WaitForAsync(new() { Timeout = (float)Generous.TotalMilliseconds });
        await page.Locator("svg#loss line.mark.worker_lost").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var results = Path.Combine(RepositoryPaths.Root, "TestResults");
        Directory.CreateDirectory(results);
        await page.ScreenshotAsync(new() { Path = Path.Combine(results, "dashboard.png"), FullPage = true });

        Assert.Equal("connected", await page.Locator("#workers tr[data-worker='steady'] td.state").InnerTextAsync());
        Assert.False(serve.HasExited, "the run stopped when one of its two workers was killed");
        Assert.Empty(errors);
    }
}
