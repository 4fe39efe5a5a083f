using CnnDistributed.Coordinator.Transport;
using CnnDistributed.Core.Training;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using CnnDistributed.Worker.Runtime;

namespace CnnDistributed.Coordinator.Cluster;

/// <summary>
/// A running cluster coordinator: Kestrel serving the training protocol and the standard gRPC health service
/// (grpc.health.v1) over HTTP/2 without TLS, the worker registry and the <see cref="DistributedStepExecutor"/> a
/// training loop drives. Disposing it ends the job on every worker.
/// </summary>
public sealed class DistributedTrainingHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DistributedTrainingHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address (the real port when listening on port 0), e.g. http://127.0.0.1:41234.</summary>
    public Uri Address { get; }

    public WorkerRegistry Workers => _app.Services.GetRequiredService<WorkerRegistry>();

    /// <summary>The step executor over the connected workers.</summary>
    public DistributedStepExecutor Executor => _app.Services.GetRequiredService<DistributedStepExecutor>();

    /// <summary>Starts listening on <paramref name="listenUrl"/> (e.g. http://127.0.0.1:0 or http://0.0.0.0:5000).</summary>
    public static async Task<DistributedTrainingHost> StartAsync(string listenUrl, CoordinatorOptions options, Action<ILoggingBuilder>? configureLogging = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var endpoint = ListenAddress.Parse(listenUrl);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);
        // Kestrel receives into one pool block per system call: 256 KiB blocks, one call and one block per gradient (LargeBlockMemoryPool).
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        // The socket transport processes HTTP/2 frames on the thread that received the bytes, and sends on the thread
        // that flushed the connection's output, instead of queueing each to the thread pool: one thread hand-off less
        // for each gradient in and each assignment out (docs/distributed-training.md, "Inline I/O scheduling"). Only
        // Kestrel's own code runs inline: a request body still resumes its reader (gRPC, then the step) on the thread
        // pool, so no application code holds a connection's receive loop.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = null;
            // A gradient or weight set is 138 KB; windows and buffers above that let a whole message go out without
            // waiting for WINDOW_UPDATE round trips or a socket drain (docs/distributed-training.md, Performance).
            kestrel.Limits.Http2.InitialConnectionWindowSize = Http2Tuning.WindowBytes;
            kestrel.Limits.Http2.InitialStreamWindowSize = Http2Tuning.WindowBytes;
            // Workers send each message as DATA frames of at most this size: one frame, not nine, per gradient.
            kestrel.Limits.Http2.MaxFrameSize = Http2Tuning.MaxFrameBytes;
            kestrel.Limits.MaxResponseBufferSize = Http2Tuning.WindowBytes;
            kestrel.Limits.Http2.KeepAlivePingDelay = options.KeepAliveInterval;
            kestrel.Limits.Http2.KeepAlivePingTimeout = options.KeepAliveTimeout;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.MaxSendMessageSize = options.MaxMessageBytes;
        });
        builder.Services.AddGrpcHealthChecks().AddCheck("process", () => HealthCheckResult.Healthy());
        builder.Services.AddOptions<CoordinatorOptions>().Configure(options.CopyTo).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CoordinatorOptions>, CoordinatorOptionsValidator>();
        builder.Services.AddSingleton(timeProvider ?? TimeProvider.System);
        builder.Services.AddSingleton<WorkerRegistry>();
        builder.Services.AddSingleton<WorkStreamRelay>();
        builder.Services.AddSingleton<DistributedStepExecutor>();

        var app = builder.Build();
        app.MapGrpcService<TrainingCoordinatorService>();
        app.MapGrpcHealthChecksService();
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var address = new Uri(bound.Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1"));
        app.Logger.LogInformation("Coordinator listening on {Address}", bound);
        return new DistributedTrainingHost(app, address);
    }

    /// <summary>Waits until <paramref name="count"/> workers have opened their work streams.</summary>
    public async Task WaitForWorkersAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await Workers.WaitForWorkersAsync(count, cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"only {Workers.Connected.Count} of {count} workers joined {Address} within {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The executor as the training loop sees it.</summary>
    public IStepExecutor StepExecutor => Executor;

    public async ValueTask DisposeAsync()
    {
        await Executor.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
