using CnnDistributed.Hosting;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>Checks <see cref="BenchOptions"/>; the error names the flag.</summary>
public sealed class BenchOptionsValidator : IValidateOptions<BenchOptions>
{
    public ValidateOptionsResult Validate(string? name, BenchOptions options)
    {
        var parsed = BatchSizes.Parse(options.BatchSize, out var sizes);
        sizes ??= parsed
            .Select(b => OptionChecks.Between("--batch-size", b, 1, TrainingOptionsValidator.MaxBatchSize))
            .FirstOrDefault(e => e is not null);
        var error = OptionChecks.First(
            sizes,
            options.What == "train"
                ? null
                : $"--what {options.What}: cnnd bench measures training only; the cluster benchmarks run with "
                    + "dotnet run -c Release --project bench/CnnDistributed.Bench -- --help",
            options.Threads is { } threads ? OptionChecks.AtLeast("--threads", threads, 1) : null,
            OptionChecks.AtLeast("--workers", options.Workers, 0),
            OptionChecks.Positive("--seconds", options.Seconds),
            OptionChecks.OneOf("--device", options.Device, DeviceChoice.Names.ToArray()),
            OptionChecks.PowerOfTwo("--shards", options.Shards));
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }
}
