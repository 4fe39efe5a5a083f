using System.Buffers;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Coordinator.Security;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Training;
using CnnDistributed.Hosting;
using CnnDistributed.Protocol;
using CnnDistributed.Protocol.Messages;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>
/// A running cluster coordinator: Kestrel serving the training protocol over HTTP/2, with mutual TLS unless the run is
/// insecure (<see cref="KestrelTuning"/>), the worker registry and the
/// <see cref="DistributedStepExecutor"/> a training loop drives. Disposing it ends the job on every worker.
/// </summary>
public sealed class DistributedTrainingHost : IAsyncDisposable
{
    private static readonly PathString RegisterPath = WorkStreamMethods.Register.FullName;

    private readonly WebApplication _app;

    private DistributedTrainingHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address (the real port when listening on port 0), e.g. https://127.0.0.1:41234.</summary>
    public Uri Address { get; }

    /// <summary>The registry of the workers that joined the job.</summary>
    public WorkerRegistry Workers => _app.Services.GetRequiredService<WorkerRegistry>();

    /// <summary>The step executor over the connected workers.</summary>
    public DistributedStepExecutor Executor => _app.Services.GetRequiredService<DistributedStepExecutor>();

    /// <summary>
    /// Starts listening on <paramref name="listenUrl"/> (e.g. https://127.0.0.1:0 or http://0.0.0.0:5000) for the job
    /// <paramref name="job"/> (its shards per step and input scaling go to every worker), with mutual TLS when
    /// <paramref name="tls"/> is given (the URL then starts with https://). <paramref name="configure"/> sets the
    /// <see cref="CoordinatorOptions"/>, which are validated before the coordinator listens.
    /// </summary>
    public static async Task<DistributedTrainingHost> StartAsync(
        string listenUrl,
        TrainingOptions job,
        ServerTls? tls,
        Action<CoordinatorOptions>? configure = null,
        Action<ILoggingBuilder>? configureLogging = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        var endpoint = ListenAddress.Parse(listenUrl, tls is not null);
        var builder = WebApplication.CreateSlimBuilder(HostSettings.Web);
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);
        builder.Services.AddOptions<CoordinatorOptions>()
            .Configure(options => configure?.Invoke(options))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CoordinatorOptions>, CoordinatorOptionsValidator>();
        builder.Services.AddSingleton(Options.Create(job));
        KestrelTuning.Apply(builder, endpoint, tls);
        builder.Services.AddGrpc();
        builder.Services.Configure<GrpcServiceOptions>(grpc =>
        {
            grpc.MaxReceiveMessageSize = ProtocolLimits.CoordinatorReceiveBytes(job.Shards);
            grpc.MaxSendMessageSize = ProtocolLimits.WorkerReceiveBytes(job.BatchSize, job.Shards);
        });
        builder.Services.AddSingleton(timeProvider ?? TimeProvider.System);
        builder.Services.AddSingleton<WorkerRegistry>();
        builder.Services.AddSingleton<WorkStreamRelay>();
        builder.Services.AddSingleton<DistributedStepExecutor>();

        var app = builder.Build();
        app.Use(LimitRegistrationBody);
        app.MapGrpcService<TrainingCoordinatorService>();
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        // Kestrel reports the endpoint as http://: TLS is this coordinator's own middleware (MutualTlsMiddleware).
        var scheme = tls is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        app.Logger.LogInformation("Coordinator listening on {Address}", new UriBuilder(bound) { Scheme = scheme }.Uri);
        // Local workers dial a wildcard listener on loopback.
        var address = new UriBuilder(bound.Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1"))
        {
            Scheme = scheme,
        }.Uri;
        return new DistributedTrainingHost(app, address);
    }

    /// <summary>
    /// A registration is a few hundred bytes: its body is read here, before gRPC sees it, and one longer than
    /// <see cref="ProtocolLimits.RegistrationBytes"/> is answered with <c>ResourceExhausted</c> and one log line
    /// (Kestrel also cuts the body at that size), so a peer cannot make the coordinator buffer more than that before it
    /// is known. gRPC then reads the registration from memory.
    /// </summary>
    private static async Task LimitRegistrationBody(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path == RegisterPath
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
        {
            body.MaxRequestBodySize = ProtocolLimits.RegistrationBytes;
            if (await ReadWholeBodyAsync(context) is not { } registration)
            {
                var refusal = $"a registration is at most {ProtocolLimits.RegistrationBytes} bytes";
                context.RequestServices.GetRequiredService<ILogger<DistributedTrainingHost>>().LogWarning(
                    "Refused a registration from {Address}:{Port}: {Reason}",
                    context.Connection.RemoteIpAddress,
                    context.Connection.RemotePort,
                    refusal);
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = ((int)Grpc.Core.StatusCode.ResourceExhausted).ToString(
                    System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["grpc-message"] = Uri.EscapeDataString(refusal);
                return;
            }
            context.Request.Body = new MemoryStream(registration, writable: false);
        }
        await next(context);
    }

    /// <summary>
    /// The whole request body, consumed from Kestrel's pipe; null as soon as it is longer than
    /// <see cref="ProtocolLimits.RegistrationBytes"/>, by its own count or Kestrel's (the rest is then never read).
    /// </summary>
    private static async Task<byte[]?> ReadWholeBodyAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(context.RequestAborted);
                if (read.Buffer.Length > ProtocolLimits.RegistrationBytes)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    return null;
                }
                if (read.IsCompleted)
                {
                    var whole = read.Buffer.ToArray();
                    reader.AdvanceTo(read.Buffer.End);
                    return whole;
                }
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
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
            throw new TimeoutException(
                $"only {Workers.Connected.Count} of {count} workers joined {Address} "
                + $"within {timeout.TotalSeconds:0} s");
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
