using CnnDistributed.Worker.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Worker.Hosting;

/// <summary>
/// The standard gRPC health service (grpc.health.v1) on <c>--health-port</c>, HTTP/2 without TLS on all interfaces,
/// for container health checks and Kubernetes gRPC probes. Serves nothing when the port is 0.
/// </summary>
public sealed class WorkerHealthEndpoint(IOptions<WorkerOptions> options, ILogger<WorkerHealthEndpoint> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Value.HealthPort;
        if (port == 0)
        {
            return;
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(
            kestrel => kestrel.ListenAnyIP(port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks().AddCheck("process", () => HealthCheckResult.Healthy());
        _app = builder.Build();
        _app.MapGrpcHealthChecksService();
        await _app.StartAsync(cancellationToken);
        logger.LogInformation("gRPC health service on port {Port}", port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
