using System.Net;
using CnnDistributed.Hosting;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>Checks <see cref="RunOptions"/> after its defaults are resolved; the error names the flag.</summary>
public sealed class RunOptionsValidator : IValidateOptions<RunOptions>
{
    public ValidateOptionsResult Validate(string? name, RunOptions options)
    {
        var error = OptionChecks.First(
            OptionChecks.AtLeast("--workers", options.Workers, 0),
            options.Threads is { } threads ? OptionChecks.AtLeast("--threads", threads, 1) : null,
            OptionChecks.OneOf("--device", options.Device, DeviceChoice.Names.ToArray()),
            options.Out is { Length: 0 } ? "--out must not be empty" : null,
            OptionChecks.AtLeast("--checkpoint-every", options.CheckpointEvery, 0),
            options.Resume is { Length: 0 } ? "--resume must not be empty" : null,
            options.Resume is not null && options.Overwrite ? "--overwrite and --resume exclude each other" : null,
            options.Data is { Length: 0 } ? "--data must not be empty" : null,
            options.Dashboard is { } port ? OptionChecks.Between("--dashboard", port, 0, 65535) : null,
            options.Trace is { Length: 0 } ? "--trace must not be empty" : null,
            OptionChecks.AtLeast("--trace-steps", options.TraceSteps, 1),
            IPAddress.TryParse(options.DashboardListen, out _)
                ? null
                : "--dashboard-listen must be an IP address (127.0.0.1, 0.0.0.0, ::), "
                + $"not '{options.DashboardListen}'");
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }
}
