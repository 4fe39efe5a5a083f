using CnnDistributed.Coordinator.Cli;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>Runs <c>cnnd</c> in this process with captured, non-interactive output.</summary>
public static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = CommandLineApp.Run(args, stdout, stderr);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}
