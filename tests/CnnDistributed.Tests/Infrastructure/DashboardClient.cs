using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A reader of a run's dashboard over HTTP/1.1 (<c>--dashboard PORT</c>): its state, and its event stream parsed by
/// .NET's <see cref="SseParser"/>.
/// </summary>
public sealed class DashboardClient(int port) : IDisposable
{
    private readonly HttpClient _http = new()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
        DefaultRequestVersion = HttpVersion.Version11,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public Uri Address => _http.BaseAddress!;

    /// <summary>Waits until the dashboard answers <c>/api/state</c>, then returns that state.</summary>
    public async Task<JsonObject> WaitUntilServingAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            try
            {
                return await StateAsync(deadline.Token);
            }
            catch (HttpRequestException) when (!deadline.IsCancellationRequested)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }

    public async Task<JsonObject> StateAsync(CancellationToken cancellationToken = default) =>
        (JsonNode.Parse(await _http.GetStringAsync("api/state", cancellationToken)) as JsonObject)!;

    /// <summary>
    /// The events of <c>/api/events</c> as they arrive (after <paramref name="lastEventId"/> when given, sent as
    /// <c>Last-Event-ID</c> the way a reconnecting browser does), each parsed into its JSON object.
    /// </summary>
    public async IAsyncEnumerable<(SseItem<string> Item, JsonObject Event)> EventsAsync(
        long? lastEventId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        using var response = await _http.SendAsync(
            request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            yield return (item, (JsonNode.Parse(item.Data) as JsonObject)!);
        }
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    public void Dispose() => _http.Dispose();
}
