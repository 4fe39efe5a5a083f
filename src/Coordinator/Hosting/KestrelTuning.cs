using System.Net;
using CnnDistributed.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using CnnDistributed.Coordinator.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>
/// How the coordinator's Kestrel serves the work stream: HTTP/2 only, windows and frames sized for the protocol's
/// messages (<see cref="Http2Windows"/>), keep-alive pings from <see cref="CoordinatorOptions"/>, large receive blocks
/// and inline I/O scheduling (docs/design.md, "The coordinator's transport").
/// </summary>
public static class KestrelTuning
{
    /// <summary>The largest header field, and header list, a worker's request may carry.</summary>
    public const int MaxHeaderFieldBytes = 8 * 1024;

    /// <summary>
    /// Configures <paramref name="builder"/>'s Kestrel to listen on <paramref name="endpoint"/>, with mutual TLS when
    /// <paramref name="tls"/> is given (a plaintext client is refused before the handshake, with a log line).
    /// </summary>
    public static void Apply(WebApplicationBuilder builder, IPEndPoint endpoint, ServerTls? tls)
    {
        // Kestrel receives into one pool block per system call: with blocks as large as a frame, a gradient arrives in
        // one call and one block (LargeBlockMemoryPool).
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        // The socket transport processes HTTP/2 frames on the thread that received the bytes, and sends on the thread
        // that flushed the connection's output, instead of queueing each to the thread pool: one thread hand-off less
        // for each gradient in and each assignment out. Only Kestrel's own code runs inline: a request body still
        // resumes its reader (gRPC, then the step) on the thread pool, so no application code holds a connection's
        // receive loop.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<CoordinatorOptions>>((kestrel, options) =>
            {
                var settings = options.Value;
                kestrel.Listen(endpoint, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    if (tls is not null)
                    {
                        var logger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>()
                            .CreateLogger(typeof(ServerTls).FullName!);
                        tls.Logger ??= logger;
                        listen.Use(new MutualTlsMiddleware(tls, logger, settings.HandshakeTimeout).Middleware);
                    }
                });
                // A work stream lasts the whole job, so its body has no size limit (each message has one) and gRPC
                // lifts the data rate for it: a worker that stalls inside a step is dropped at its result deadline.
                // The rate applies to registrations, whose body is also capped (DistributedTrainingHost).
                kestrel.Limits.MaxRequestBodySize = null;
                kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(
                    settings.MinRequestBodyBytesPerSecond, settings.DataRateGracePeriod);
                kestrel.Limits.MaxConcurrentConnections = settings.MaxConnections;
                kestrel.Limits.Http2.MaxStreamsPerConnection = settings.MaxStreamsPerConnection;
                kestrel.Limits.Http2.MaxRequestHeaderFieldSize = MaxHeaderFieldBytes;
                kestrel.Limits.MaxRequestHeadersTotalSize = MaxHeaderFieldBytes;
                // Windows and buffers above one message let a whole gradient or weight set go out without waiting for
                // WINDOW_UPDATE round trips or a socket drain.
                kestrel.Limits.Http2.InitialConnectionWindowSize = Http2Windows.WindowBytes;
                kestrel.Limits.Http2.InitialStreamWindowSize = Http2Windows.WindowBytes;
                // Workers send each message as DATA frames of at most this size: one frame per gradient.
                kestrel.Limits.Http2.MaxFrameSize = Http2Windows.MaxFrameBytes;
                kestrel.Limits.MaxResponseBufferSize = Http2Windows.WindowBytes;
                kestrel.Limits.Http2.KeepAlivePingDelay = settings.KeepAliveInterval;
                kestrel.Limits.Http2.KeepAlivePingTimeout = settings.KeepAliveTimeout;
            });
    }
}
