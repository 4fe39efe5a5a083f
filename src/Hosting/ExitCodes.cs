namespace CnnDistributed.Hosting;

/// <summary>The exit codes of both executables (docs/commands.md, "Exit codes").</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Cancelled = 130;
}
