using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CnnDistributed.Coordinator.Runs;
using CnnDistributed.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>
/// The dashboard's own HTTP/1.1 endpoint (<c>--dashboard</c>; gRPC keeps its port): <c>GET /</c> the page,
/// <c>GET /api/state</c> the <see cref="DashboardState"/>, <c>GET /api/events</c> the <see cref="RunEventLog"/> as
/// Server-Sent Events that resume after <c>Last-Event-ID</c> (docs/dashboard.md). Read-only and unauthenticated, so it
/// listens on loopback unless told otherwise, with few connections and small requests.
/// </summary>
public sealed partial class DashboardEndpoint : IAsyncDisposable
{
    /// <summary>The port of <c>--dashboard</c> without a value.</summary>
    public const int DefaultPort = 6070;

    /// <summary>Connections served at once (each open page holds one for its event stream).</summary>
    public const int MaxConnections = 64;

    private static readonly Lazy<Page> IndexPage = new(Page.Load);

    private readonly WebApplication _app;

    private DashboardEndpoint(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The page's URL, with the bound port (e.g. http://127.0.0.1:6070/).</summary>
    public Uri Address { get; }

    /// <summary>
    /// Starts serving <paramref name="monitor"/> on <paramref name="address"/>:<paramref name="port"/>.
    /// </summary>
    public static async Task<DashboardEndpoint> StartAsync(
        IPAddress address, int port, RunMonitor monitor, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(HostSettings.Web);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestBodySize = 0;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        });
        var app = builder.Build();
        var page = IndexPage.Value;
        app.MapGet("/", (HttpContext context) =>
        {
            context.Response.Headers.ContentSecurityPolicy = page.ContentSecurityPolicy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Bytes(page.Html, "text/html; charset=utf-8");
        });
        app.MapGet("/api/state", () => Results.Json(monitor.Snapshot(), JsonFormats.Line));
        app.MapGet("/api/events", async (HttpContext context, CancellationToken aborted) =>
        {
            // The headers go out at once, so a client knows it is connected before the first event (a serve run may
            // wait minutes for its workers).
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.StartAsync(aborted);
            await context.Response.Body.FlushAsync(aborted);
            var stopping = app.Lifetime.ApplicationStopping;
            var events = Stream(monitor.Events, LastEventId(context.Request), aborted, stopping);
            await SseFormatter.WriteAsync(events, context.Response.Body, aborted);
        });
        await app.StartAsync(cancellationToken);
        var bound = new Uri(app.Services.GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        var shown = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : bound.Host;
        return new DashboardEndpoint(app, new UriBuilder(bound) { Host = shown, Path = "/" }.Uri);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// The events after <paramref name="lastSeenId"/>, then each new one as it is appended, until the client goes or
    /// the endpoint stops (an open page must not hold up the end of a run).
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> Stream(
        RunEventLog events,
        long lastSeenId,
        CancellationToken aborted,
        CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken enumeration = default)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping, enumeration);
        var cancellationToken = ended.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var item in events.After(lastSeenId))
            {
                lastSeenId = item.Id;
                yield return new SseItem<string>(JsonSerializer.Serialize(item, JsonFormats.Line), item.Type)
                {
                    EventId = item.Id.ToString(CultureInfo.InvariantCulture),
                };
            }
            try
            {
                await events.WaitAfterAsync(lastSeenId, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Where the stream starts: after the <c>Last-Event-ID</c> a reconnecting client sends, else after the
    /// <c>?after=</c> id of the state the page loaded, else at the first event kept.
    /// </summary>
    private static long LastEventId(HttpRequest request) =>
        long.TryParse(request.Headers["Last-Event-ID"].ToString(), out var id) && id > 0 ? id
        : long.TryParse(request.Query["after"].ToString(), out var after) && after > 0 ? after
        : 0;

    /// <summary>
    /// The page, and a content security policy that allows its own inline script and style and nothing else.
    /// </summary>
    private sealed record Page(byte[] Html, string ContentSecurityPolicy)
    {
        public static Page Load()
        {
            using var resource = typeof(DashboardEndpoint).Assembly.GetManifestResourceStream("dashboard.html")
                ?? throw new InvalidOperationException("the dashboard page is not embedded in this build");
            using var reader = new StreamReader(resource, Encoding.UTF8);
            var html = reader.ReadToEnd();
            var script = Hash(InlineScript().Match(html).Groups[1].Value);
            var style = Hash(InlineStyle().Match(html).Groups[1].Value);
            return new Page(
                Encoding.UTF8.GetBytes(html),
                $"default-src 'none'; script-src '{script}'; style-src '{style}'; connect-src 'self'; img-src data:; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        }

        private static string Hash(string text) =>
            "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScript();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex InlineStyle();
}
