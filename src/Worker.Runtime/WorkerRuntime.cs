using CnnDistributed.Hosting;
using CnnDistributed.Protocol;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Worker.Runtime.Assignments;
using CnnDistributed.Worker.Runtime.Backends;
using CnnDistributed.Worker.Runtime.Registration;
using CnnDistributed.Worker.Runtime.Transport;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using InputScaling = CnnDistributed.Core.Engine.InputScaling;
using WireScaling = CnnDistributed.Protocol.V1.InputScaling;

namespace CnnDistributed.Worker.Runtime;

/// <summary>
/// One training worker: registers with the coordinator, then computes the shard ranges it is sent and streams back
/// their pre-summed gradients until the coordinator ends the job. When the coordinator is lost mid-job (it died, the
/// network failed, or it dropped this worker) the worker rejoins with back-off for up to
/// <see cref="WorkerOptions.ReconnectTimeoutSeconds"/>, as a new member that first receives the current weights. Used
/// by the worker executable and, in-process, by the coordinator's <c>train --workers N</c>; both talk real gRPC over
/// HTTP/2, with mutual TLS when <paramref name="tls"/> is given.
/// </summary>
public sealed class WorkerRuntime(
    WorkerOptions options,
    ClientTls? tls,
    IWorkerBackendFactory backends,
    ILogger<WorkerRuntime> logger,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Registers and works until the job ends, the coordinator refuses this worker or stays lost; how the run ended.
    /// </summary>
    public async Task<WorkerExit> RunAsync(CancellationToken cancellationToken)
    {
        if (!BitConverter.IsLittleEndian)
        {
            return WorkerExit.Failure("error: this worker needs a little-endian machine");
        }
        using var handler = new Http2Handler(
            new Http2Timeouts(ConnectTimeout, options.KeepAliveInterval, options.KeepAliveTimeout), tls, timeProvider);
        using var channel = Channel(handler, ProtocolLimits.RegistrationReplyBytes);
        var client = new TrainingCoordinator.TrainingCoordinatorClient(channel.CreateCallInvoker());
        var request = new RegisterRequest
        {
            Name = options.Name,
            DeviceKind = backends.DeviceKind,
            Threads = options.Threads,
            ProtocolVersion = (uint)ProtocolVersion.Current,
            Capabilities = { "node-presum" },
        };
        var registration = new CoordinatorRegistration(options, timeProvider, logger);
        var reply = await registration.RegisterAsync(client, request, cancellationToken);
        if (reply is null)
        {
            return WorkerExit.Usage(
                $"error: coordinator {options.Coordinator} unreachable after {options.ConnectAttempts} attempts: "
                + registration.LastFailure);
        }
        while (true)
        {
            if (reply.OutcomeCase != RegisterReply.OutcomeOneofCase.Accepted)
            {
                return WorkerExit.Usage(
                    $"error: coordinator {options.Coordinator} refused this worker: "
                    + $"{reply.Refused?.Reason ?? "no reason given"}");
            }
            var lost = await JoinAsync(handler, request, reply.Accepted, cancellationToken);
            if (lost.Exit is { } exit)
            {
                return exit;
            }
            var lostAt = timeProvider.GetTimestamp();
            if (options.ReconnectTimeoutSeconds <= 0)
            {
                return WorkerExit.Failure($"error: {lost.Reason}");
            }
            logger.LogWarning(
                "Worker {Name} lost coordinator {Coordinator}: {Reason}; "
                + "trying to rejoin for up to {Seconds:0.#} s",
                options.Name,
                options.Coordinator,
                lost.Reason,
                options.ReconnectTimeoutSeconds);
            reply = await registration.ReconnectAsync(client, request, lostAt, cancellationToken);
            if (reply is null)
            {
                return WorkerExit.Failure(
                    $"error: {lost.Reason}; coordinator {options.Coordinator} did not come back "
                    + $"within {options.ReconnectTimeoutSeconds:0.#} s");
            }
            if (reply.Refused?.Reason == WorkerRefusals.JobFinished)
            {
                logger.LogInformation("Worker {Name}: the job finished while it was away", options.Name);
                return WorkerExit.Done;
            }
        }
    }

    /// <summary>
    /// One membership of the job: works until the job ends (an exit) or the coordinator is lost (a reason to rejoin).
    /// </summary>
    private async Task<(WorkerExit? Exit, string? Reason)> JoinAsync(
        Http2Handler handler,
        RegisterRequest request,
        JobSettings job,
        CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "Worker {Name} joined {Coordinator} as {WorkerId} "
            + "({DeviceKind}, {DeviceChoice}; threads: {Threads}, shards per step: {Shards})",
            options.Name,
            options.Coordinator,
            job.WorkerId,
            request.DeviceKind,
            backends.DeviceChoice,
            options.Threads,
            job.ShardCount);
        try
        {
            // The shard count sizes this worker's buffers: it is checked before anything is allocated.
            if (OptionChecks.PowerOfTwo("the job's shard count", job.ShardCount) is { } badShards)
            {
                throw new InvalidDataException(badShards);
            }
            using var runner = new ShardRunner(
                backends.Create(ToScaling(job.InputScaling)), job.ShardCount, timeProvider);
            // The work stream accepts what this job's assignments can legitimately be, within the worker's own ceiling.
            var limit = job.MaxMessageBytes > 0
                ? Math.Min(job.MaxMessageBytes, options.MaxMessageBytes)
                : options.MaxMessageBytes;
            using var channel = Channel(handler, limit);
            return await WorkAsync(channel.CreateCallInvoker(), job, runner, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            return (null, $"work stream with {options.Coordinator} ended: {e.Status.StatusCode}: {e.Status.Detail}");
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidOperationException
            && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"work stream with {options.Coordinator} broke: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            return (WorkerExit.Failure($"error: bad assignment from {options.Coordinator}: {e.Message}"), null);
        }
    }

    private async Task<(WorkerExit? Exit, string? Reason)> WorkAsync(
        CallInvoker invoker,
        JobSettings job,
        ShardRunner runner,
        CancellationToken cancellationToken)
    {
        var work = WorkStreamMethods.ForWorker(new CoordinatorMessageReader());
        var headers = new Metadata { { WorkStreamMethods.WorkerIdHeader, job.WorkerId } };
        using var call = invoker.AsyncDuplexStreamingCall(
            work, null, new CallOptions(headers, cancellationToken: cancellationToken));
        var steps = 0L;
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            var message = call.ResponseStream.Current;
            switch (message.KindCase)
            {
                case CoordinatorMessage.KindOneofCase.Assignment:
                    var result = runner.Run(message.Assignment);
                    await call.RequestStream.WriteAsync(new WorkerMessage { Result = result }, cancellationToken);
                    steps++;
                    break;
                case CoordinatorMessage.KindOneofCase.Shutdown:
                    await call.RequestStream.CompleteAsync();
                    logger.LogInformation(
                        "Worker {Name} done after {Steps} assignments: {Reason}",
                        options.Name,
                        steps,
                        message.Shutdown.Reason);
                    return (WorkerExit.Done, null);
            }
        }
        return (null, $"coordinator {options.Coordinator} closed the work stream without ending the job");
    }

    /// <summary>
    /// A channel over the worker's one connection (<paramref name="handler"/>, which the caller disposes): a worker id
    /// is only good on the connection that registered it.
    /// </summary>
    private GrpcChannel Channel(Http2Handler handler, int maxReceiveBytes) =>
        GrpcChannel.ForAddress(options.Coordinator, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = false,
            MaxReceiveMessageSize = maxReceiveBytes,
            MaxSendMessageSize = options.MaxMessageBytes,
        });

    private static InputScaling ToScaling(WireScaling scaling) => scaling switch
    {
        WireScaling.UnitRange => InputScaling.UnitRange,
        WireScaling.MnistNormalized => InputScaling.MnistNormalized,
        _ => throw new InvalidDataException($"unknown input scaling {scaling}"),
    };
}
