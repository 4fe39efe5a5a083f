using CnnDistributed.Hosting;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>Checks <see cref="ServeOptions"/>; the error names the flag.</summary>
public sealed class ServeOptionsValidator : IValidateOptions<ServeOptions>
{
    public ValidateOptionsResult Validate(string? name, ServeOptions options)
    {
        var error = OptionChecks.First(
            OptionChecks.AtLeast("--expect-workers", options.ExpectWorkers, 1),
            OptionChecks.Positive("--join-timeout", options.JoinTimeout.TotalSeconds),
            OptionChecks.Between("--metrics-port", options.MetricsPort, 0, 65535),
            OptionChecks.Between("--health-port", options.HealthPort, 0, 65535),
            options.Tls is { Length: 0 } ? "--tls must not be empty" : null,
            options.Run is { Length: 0 } ? "--run must not be empty" : null);
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }
}
