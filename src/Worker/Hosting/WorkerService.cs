using CnnDistributed.Worker.Runtime;
using Microsoft.Extensions.Hosting;

namespace CnnDistributed.Worker.Hosting;

/// <summary>Runs the worker for the executable's lifetime, then stops the host with the worker's exit code.</summary>
public sealed class WorkerService(WorkerRuntime runtime, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        WorkerExit exit;
        try
        {
            exit = await runtime.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            exit = WorkerExit.Failure("error: worker stopped before the job ended");
        }
        if (exit.Error is not null)
        {
            await Console.Error.WriteLineAsync(exit.Error);
        }
        Environment.ExitCode = exit.Code;
        lifetime.StopApplication();
    }
}
