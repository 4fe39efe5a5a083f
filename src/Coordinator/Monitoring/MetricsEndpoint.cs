using Prometheus;

namespace CnnDistributed.Coordinator.Monitoring;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format on a port of its own (<c>--metrics-port</c>), plain HTTP/1.1 on
/// all interfaces, since the coordinator's gRPC port speaks HTTP/2 only and a scraper cannot use it.
/// </summary>
public sealed class MetricsEndpoint : IAsyncDisposable
{
    private readonly IMetricServer _server;

    private MetricsEndpoint(IMetricServer server) => _server = server;

    public static MetricsEndpoint Start(int port, TrainingMetrics metrics) =>
        new(new KestrelMetricServer(port, "/metrics", metrics.Registry).Start());

    public async ValueTask DisposeAsync() => await _server.StopAsync();
}
