using CnnDistributed.Protocol;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>Checks <see cref="CoordinatorOptions"/> when the coordinator starts.</summary>
public sealed class CoordinatorOptionsValidator : IValidateOptions<CoordinatorOptions>
{
    public ValidateOptionsResult Validate(string? name, CoordinatorOptions options)
    {
        var failures = new List<string>();
        if (options.DeviceKind is { } kind && (kind.Length is 0 or > ProtocolLimits.DeviceKindBytes
            || !kind.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            failures.Add($"--device-kind '{kind}' is not a device kind such as cpu-avx512 or cuda-sm90");
        }
        if (options.StepTimeout <= TimeSpan.Zero)
        {
            failures.Add($"step timeout must be positive, got {options.StepTimeout}");
        }
        if (options.ResultDeadlineFloor <= TimeSpan.Zero || options.ResultDeadlineFloor > options.StepTimeout)
        {
            failures.Add(
                "result deadline floor must be positive and at most the step timeout, "
                + $"got {options.ResultDeadlineFloor}");
        }
        if (!double.IsFinite(options.ResultDeadlineFactor) || options.ResultDeadlineFactor < 1)
        {
            failures.Add($"result deadline factor must be at least 1, got {options.ResultDeadlineFactor}");
        }
        if (options.KeepAliveInterval < TimeSpan.FromSeconds(1) || options.KeepAliveTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add(
                "keep-alive interval and timeout must be at least 1 s, "
                + $"got {options.KeepAliveInterval} and {options.KeepAliveTimeout}");
        }
        if (options.WorkerWaitTimeout < TimeSpan.Zero)
        {
            failures.Add($"worker wait timeout must not be negative, got {options.WorkerWaitTimeout}");
        }
        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            failures.Add($"shutdown timeout must not be negative, got {options.ShutdownTimeout}");
        }
        if (options.MaxWorkers < 1 || options.MaxConnections < options.MaxWorkers)
        {
            failures.Add(
                $"--max-workers must be at least 1 and at most the connection limit {options.MaxConnections}, "
                + $"got {options.MaxWorkers}");
        }
        if (!double.IsFinite(options.MaxSampleGradientNorm) || options.MaxSampleGradientNorm < 1)
        {
            failures.Add($"the gradient norm bound must be at least 1, got {options.MaxSampleGradientNorm}");
        }
        if (!double.IsFinite(options.MaxNormRatio) || options.MaxNormRatio <= 1)
        {
            failures.Add($"--max-norm-ratio must be more than 1, got {options.MaxNormRatio}");
        }
        if (!double.IsFinite(options.VerifyFraction) || options.VerifyFraction is < 0 or > 1)
        {
            failures.Add($"--verify-fraction must be between 0 and 1, got {options.VerifyFraction}");
        }
        if (options.MaxRefusalsInARow < 1)
        {
            failures.Add($"the refusals in a row before a drop must be at least 1, got {options.MaxRefusalsInARow}");
        }
        if (!double.IsFinite(options.MaxShareFactor) || options.MaxShareFactor < 1)
        {
            failures.Add(
                "the most shards of one worker must be at least its fair share (factor 1), "
                + $"got {options.MaxShareFactor}");
        }
        if (options.MaxStreamsPerConnection < 2)
        {
            failures.Add($"a connection must allow at least 2 streams, got {options.MaxStreamsPerConnection}");
        }
        if (options.HandshakeTimeout <= TimeSpan.Zero
            || !double.IsFinite(options.MinRequestBodyBytesPerSecond) || options.MinRequestBodyBytesPerSecond <= 0)
        {
            failures.Add("the handshake timeout and data rate must be positive");
        }
        if (options.DataRateGracePeriod <= TimeSpan.FromSeconds(1))
        {
            failures.Add(
                "the data rate's grace period must be more than 1 s (Kestrel's minimum), "
                + $"got {options.DataRateGracePeriod}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
