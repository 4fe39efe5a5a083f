using CnnDistributed.Protocol.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Worker.Runtime.Registration;

/// <summary>
/// Registers with the coordinator, retrying with bounded exponential back-off while it is unreachable.
/// </summary>
internal sealed class CoordinatorRegistration(WorkerOptions options, TimeProvider timeProvider, ILogger logger)
{
    private static readonly TimeSpan AttemptDeadline = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Why the latest attempt failed, in one line (a refused TLS handshake says why); null before any.
    /// </summary>
    public string? LastFailure { get; private set; }

    /// <summary>
    /// The coordinator's reply, or null when it never answered within <see cref="WorkerOptions.ConnectAttempts"/>
    /// attempts.
    /// </summary>
    public Task<RegisterReply?> RegisterAsync(
        TrainingCoordinator.TrainingCoordinatorClient client,
        RegisterRequest request,
        CancellationToken cancellationToken) =>
        RegisterAsync(client, request, attempt => attempt < options.ConnectAttempts, cancellationToken);

    /// <summary>
    /// Rejoining after the coordinator was lost: the reply, or null when it did not answer within
    /// <see cref="WorkerOptions.ReconnectTimeoutSeconds"/> of <paramref name="lostAt"/> (a <see cref="TimeProvider"/>
    /// timestamp).
    /// </summary>
    public Task<RegisterReply?> ReconnectAsync(
        TrainingCoordinator.TrainingCoordinatorClient client,
        RegisterRequest request,
        long lostAt,
        CancellationToken cancellationToken)
    {
        var window = TimeSpan.FromSeconds(options.ReconnectTimeoutSeconds);
        return RegisterAsync(client, request, _ => timeProvider.GetElapsedTime(lostAt) < window, cancellationToken);
    }

    private async Task<RegisterReply?> RegisterAsync(
        TrainingCoordinator.TrainingCoordinatorClient client,
        RegisterRequest request,
        Func<int, bool> mayRetry,
        CancellationToken cancellationToken)
    {
        var delay = options.InitialRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.RegisterAsync(
                    request, deadline: DateTime.UtcNow + AttemptDeadline, cancellationToken: cancellationToken);
            }
            catch (RpcException e)
                when (e.StatusCode is not StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
            {
                LastFailure = e.Status.DebugException?.Message ?? e.Status.Detail;
                if (!mayRetry(attempt))
                {
                    return null;
                }
                logger.LogInformation(
                    "Coordinator {Coordinator} not reachable (attempt {Attempt}: {Status}); "
                    + "retrying in {Delay} ms",
                    options.Coordinator,
                    attempt,
                    LastFailure,
                    (int)delay.TotalMilliseconds);
            }
            await Task.Delay(delay, timeProvider, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
        }
    }
}
