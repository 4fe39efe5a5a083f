using CnnDistributed.Hosting;
using CnnDistributed.Worker.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Worker.Hosting;

/// <summary>The worker's <see cref="GrpcHealthEndpoint"/> on <c>--health-port</c>; none when the port is 0.</summary>
public sealed class WorkerHealthEndpoint(IOptions<WorkerOptions> options, ILogger<WorkerHealthEndpoint> logger)
    : IHostedService, IAsyncDisposable
{
    private GrpcHealthEndpoint? _endpoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Value.HealthPort;
        if (port == 0)
        {
            return;
        }
        _endpoint = await GrpcHealthEndpoint.StartAsync(port, cancellationToken);
        logger.LogInformation("gRPC health service on port {Port}", port);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _endpoint, null) is { } endpoint)
        {
            await endpoint.DisposeAsync();
        }
    }
}
