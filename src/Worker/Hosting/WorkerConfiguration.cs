using Microsoft.Extensions.Configuration;

namespace CnnDistributed.Worker.Hosting;

/// <summary>
/// The worker's configuration sources: every flag also reads from an environment variable named like it
/// (<c>--coordinator</c> ← <c>CNND_COORDINATOR</c>, <c>--health-port</c> ← <c>CNND_HEALTH_PORT</c>); a flag on the
/// command line wins over its variable.
/// </summary>
public static class WorkerConfiguration
{
    public const string EnvironmentPrefix = "CNND_";

    /// <summary>The environment variable that sets the same option as <paramref name="flag"/>, e.g. CNND_THREADS for --threads.</summary>
    public static string EnvironmentVariableFor(string flag) =>
        EnvironmentPrefix + flag.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    public static IConfigurationBuilder AddWorkerSources(this IConfigurationBuilder configuration, string[] args, Func<string, string?> environment)
    {
        var fromEnvironment = new Dictionary<string, string?>();
        foreach (var (flag, key) in WorkerServiceCollectionExtensions.SwitchMappings)
        {
            if (environment(EnvironmentVariableFor(flag)) is { Length: > 0 } value)
            {
                fromEnvironment[key] = value;
            }
        }
        return configuration.AddInMemoryCollection(fromEnvironment).AddCommandLine(args, WorkerServiceCollectionExtensions.SwitchMappings);
    }
}
