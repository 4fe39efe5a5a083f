namespace CnnDistributed.Hosting;

/// <summary>The exit codes of both executables (docs/commands.md, "Exit codes").</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>A failure not caused by the user's input.</summary>
    public const int Failure = 1;

    /// <summary>
    /// Bad input: a flag, a value or a file that cannot be used; for a worker also an unreachable or refusing
    /// coordinator.
    /// </summary>
    public const int Usage = 2;

    /// <summary>Stopped by SIGINT (128 + signal number 2).</summary>
    public const int Cancelled = 130;
}
