namespace CnnDistributed.Worker.Runtime;

/// <summary>
/// How a worker's run ended: exit code 0 (job done), 2 (unreachable or refused coordinator, bad input) or 1 (anything
/// else), with the error line to print.
/// </summary>
public sealed record WorkerExit(int Code, string? Error)
{
    /// <summary>The job ended and the worker finished its part: exit code 0, nothing to print.</summary>
    public static WorkerExit Done { get; } = new(0, null);

    /// <summary>An unreachable or refusing coordinator, or bad input: exit code 2.</summary>
    public static WorkerExit Usage(string error) => new(2, error);

    /// <summary>Any other failure: exit code 1.</summary>
    public static WorkerExit Failure(string error) => new(1, error);
}
