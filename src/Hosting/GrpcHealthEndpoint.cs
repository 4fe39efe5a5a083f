using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Hosting;

/// <summary>
/// The standard gRPC health service (grpc.health.v1) on a port of its own, HTTP/2 without TLS on all interfaces, for
/// container health checks and Kubernetes gRPC probes, which cannot present the run's client certificates. It serves
/// nothing else: no training traffic, nothing to write.
/// </summary>
public sealed class GrpcHealthEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcHealthEndpoint(WebApplication app) => _app = app;

    /// <summary>Starts serving on <paramref name="port"/>.</summary>
    /// <exception cref="IOException">The port is taken.</exception>
    public static async Task<GrpcHealthEndpoint> StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(HostSettings.Web);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(
            kestrel => kestrel.ListenAnyIP(port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks().AddCheck("process", () => HealthCheckResult.Healthy());
        var app = builder.Build();
        app.MapGrpcHealthChecksService();
        await app.StartAsync(cancellationToken);
        return new GrpcHealthEndpoint(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
