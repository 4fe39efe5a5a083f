using CnnDistributed.Worker.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Worker.Hosting;

/// <summary>Runs the worker for the executable's lifetime, then stops the host with the worker's exit code.</summary>
public sealed class WorkerService(
    WorkerRuntime runtime,
    IOptions<WorkerOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<WorkerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Insecure)
        {
            logger.LogWarning(
                "--insecure: plaintext HTTP/2 without authentication; anyone on the network path can read and change "
                + "the weights, samples and gradients");
        }
        WorkerExit exit;
        try
        {
            exit = await runtime.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            exit = WorkerExit.Failure("error: worker stopped before the job ended");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Worker failed");
            exit = WorkerExit.Failure($"error: worker failed: {e.Message}");
        }
        if (exit.Error is not null)
        {
            await Console.Error.WriteLineAsync(exit.Error);
        }
        Environment.ExitCode = exit.Code;
        lifetime.StopApplication();
    }
}
