namespace CnnDistributed.Coordinator.Cli;

/// <summary>Where a command writes, and whether a person is watching (live progress and tables only then).</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool Interactive)
{
    /// <summary>
    /// The process console; interactive unless stdout is redirected or the <c>CI</c> variable is set.
    /// </summary>
    public static CliConsole System() => new(
        Console.Out,
        Console.Error,
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")));

    /// <summary>Plain writers, never interactive (tests, captured output).</summary>
    public static CliConsole Plain(TextWriter output, TextWriter error) => new(output, error, false);
}
