using CnnDistributed.Protocol.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Worker.Runtime;

/// <summary>Registers with the coordinator, retrying with bounded exponential back-off while it is unreachable.</summary>
internal sealed class CoordinatorRegistration(WorkerOptions options, TimeProvider timeProvider, ILogger logger)
{
    private static readonly TimeSpan AttemptDeadline = TimeSpan.FromSeconds(10);

    /// <summary>The coordinator's reply, or null when it never answered within <see cref="WorkerOptions.ConnectAttempts"/> attempts.</summary>
    public async Task<RegisterReply?> RegisterAsync(TrainingCoordinator.TrainingCoordinatorClient client, RegisterRequest request, CancellationToken cancellationToken)
    {
        var delay = options.InitialRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.RegisterAsync(request, deadline: DateTime.UtcNow + AttemptDeadline, cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
            {
                if (attempt >= options.ConnectAttempts)
                {
                    return null;
                }
                logger.LogInformation("Coordinator {Coordinator} not reachable (attempt {Attempt} of {Attempts}: {Status}); retrying in {Delay} ms",
                    options.Coordinator, attempt, options.ConnectAttempts, e.Status.Detail, (int)delay.TotalMilliseconds);
            }
            await Task.Delay(delay, timeProvider, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
        }
    }
}
