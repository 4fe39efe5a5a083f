using System.Net;
using CnnDistributed.Coordinator.Dashboard;
using Microsoft.Extensions.Time.Testing;

namespace CnnDistributed.Tests.Dashboard;

/// <summary>
/// The dashboard's endpoint on a real loopback port: bounded connections, no request bodies, small headers, and only
/// its three read-only paths.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DashboardLimitsTests
{
    private static readonly RunDescription Run = new("limits", new Dictionary<string, object?>(), 1, 1, 64, 8);

    [Fact]
    public async Task ConnectionsBeyondTheCapAreRefusedAndTheDashboardServesAgainWhenTheyClose()
    {
        await using var dashboard = await StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var streams = new List<HttpResponseMessage>();
        for (var i = 0; i < DashboardEndpoint.MaxConnections; i++)
        {
            streams.Add(await http.GetAsync(
                new Uri(dashboard.Endpoint.Address, "api/events"), HttpCompletionOption.ResponseHeadersRead));
        }

        await Assert.ThrowsAsync<HttpRequestException>(
            () => http.GetAsync(new Uri(dashboard.Endpoint.Address, "api/state")));
        foreach (var stream in streams)
        {
            stream.Dispose();
        }
        var state = await RetryAsync(() => http.GetAsync(new Uri(dashboard.Endpoint.Address, "api/state")));

        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
    }

    [Fact]
    public async Task BodiesOtherPathsAndHugeHeadersAreRefused()
    {
        await using var dashboard = await StartAsync();
        using var http = new HttpClient();
        var address = dashboard.Endpoint.Address;

        using var post = await http.PostAsync(new Uri(address, "api/state"), new ByteArrayContent(new byte[1024]));
        using var other = await http.GetAsync(new Uri(address, "metrics"));
        using var huge = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "api/state"));
        huge.Headers.Add("x-padding", new string('a', 32 * 1024));
        using var hugeResponse = await http.SendAsync(huge);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, hugeResponse.StatusCode);
    }

    private static async Task<Running> StartAsync()
    {
        var time = new FakeTimeProvider();
        var monitor = new RunMonitor(Run, new RunEventLog(time), time);
        return new Running(monitor, await DashboardEndpoint.StartAsync(IPAddress.Loopback, 0, monitor, CancellationToken.None));
    }

    private static async Task<HttpResponseMessage> RetryAsync(Func<Task<HttpResponseMessage>> request)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await request();
            }
            catch (HttpRequestException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    private sealed record Running(RunMonitor Monitor, DashboardEndpoint Endpoint) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Endpoint.DisposeAsync();
            Monitor.Dispose();
        }
    }
}
