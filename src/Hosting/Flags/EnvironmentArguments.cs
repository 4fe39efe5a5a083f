using System.CommandLine;

namespace CnnDistributed.Hosting.Flags;

/// <summary>
/// Options from the environment, for containers: each flag of the command being run (a verb of <c>cnnd</c>, or
/// <c>cnnd-worker</c> itself) that is not on the command line is
/// read from the variable named like it (<c>--epochs</c> ← <c>CNND_EPOCHS</c>, <c>--expect-workers</c> ←
/// <c>CNND_EXPECT_WORKERS</c>; a switch such as <c>--nesterov</c> takes true or false). The command line wins, and
/// a variable's value is checked exactly like the flag's.
/// </summary>
public static class EnvironmentArguments
{
    /// <summary>The prefix of every variable.</summary>
    public const string Prefix = "CNND_";

    /// <summary>
    /// The variable that sets <paramref name="flag"/>, e.g. <c>CNND_BATCH_SIZE</c> for <c>--batch-size</c>.
    /// </summary>
    public static string VariableFor(string flag) => Prefix + flag.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>
    /// <paramref name="args"/> followed by <c>--flag=value</c> for every option of the command being run that is set
    /// only in the environment: the verb named by the first argument, or the root command when it has no verbs.
    /// </summary>
    public static string[] Complete(RootCommand root, string[] args, Func<string, string?> environment)
    {
        var verb = root.Subcommands.Count == 0 ? root
            : args.Length > 0 ? root.Subcommands.FirstOrDefault(c => c.Name == args[0]) : null;
        if (verb is null)
        {
            return args;
        }
        var given = args.Select(a => a.Split('=', 2)[0]).ToHashSet(StringComparer.Ordinal);
        var completed = new List<string>(args);
        foreach (var option in verb.Options)
        {
            if (given.Contains(option.Name) || option.Aliases.Any(given.Contains))
            {
                continue;
            }
            if (environment(VariableFor(option.Name)) is { Length: > 0 } value)
            {
                completed.Add($"{option.Name}={value}");
            }
        }
        return [.. completed];
    }
}
