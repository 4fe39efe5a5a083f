namespace CnnDistributed.Worker.Runtime;

/// <summary>How a worker's run ended: exit code 0 (job done), 2 (unreachable or refused coordinator, bad input) or 1 (anything else), with the error line to print.</summary>
public sealed record WorkerExit(int Code, string? Error)
{
    public static WorkerExit Done { get; } = new(0, null);

    public static WorkerExit Usage(string error) => new(2, error);

    public static WorkerExit Failure(string error) => new(1, error);
}
