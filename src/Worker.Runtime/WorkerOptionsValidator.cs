using CnnDistributed.Protocol;
using CnnDistributed.Worker.Runtime.Backends;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Worker.Runtime;

/// <summary>Checks <see cref="WorkerOptions"/> at start; each failure names the flag.</summary>
public sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.Coordinator, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add(options.Coordinator.Length == 0
                ? "--coordinator is required (an https:// URL such as https://10.0.0.1:5000)"
                : $"--coordinator '{options.Coordinator}' is not an https:// or http:// URL");
        }
        else if (TransportRefusal(options, uri) is { } transport)
        {
            failures.Add(transport);
        }
        if (!WorkerBackendFactory.IsSupported(options.Device))
        {
            failures.Add(
                $"--device '{options.Device}' is not available on this worker "
                + $"(supported: {string.Join(", ", WorkerBackendFactory.SupportedDevices)})");
        }
        else if (WorkerBackendFactory.Unavailability(options.Device) is { } reason)
        {
            failures.Add(reason);
        }
        if (options.Threads is < 1 or > 1024)
        {
            failures.Add($"--threads must be between 1 and 1024, got {options.Threads}");
        }
        if (PeerText.Refusal("name", options.Name, ProtocolLimits.NameBytes) is { } badName)
        {
            failures.Add($"--name: {badName}");
        }
        if (options.HealthPort is < 0 or > 65535)
        {
            failures.Add($"--health-port must be between 0 (off) and 65535, got {options.HealthPort}");
        }
        if (options.ConnectAttempts < 1)
        {
            failures.Add($"--connect-attempts must be at least 1, got {options.ConnectAttempts}");
        }
        if (!double.IsFinite(options.ReconnectTimeoutSeconds) || options.ReconnectTimeoutSeconds < 0)
        {
            failures.Add(
                "--reconnect-timeout must be a number of seconds of at least 0, "
                + $"got {options.ReconnectTimeoutSeconds}");
        }
        if (options.KeepAliveInterval <= TimeSpan.Zero || options.KeepAliveTimeout <= TimeSpan.Zero)
        {
            failures.Add("keep-alive interval and timeout must be positive");
        }
        if (options.InitialRetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.InitialRetryDelay)
        {
            failures.Add("retry delays must be positive and the maximum at least the initial delay");
        }
        if (options.MaxMessageBytes < 1024 * 1024)
        {
            failures.Add($"the message size limit must be at least 1 MiB, got {options.MaxMessageBytes}");
        }
        if (string.IsNullOrWhiteSpace(options.TlsName) || options.TlsName.Length > 64
            || options.TlsName.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
        {
            failures.Add(
                $"--tls-name must be a certificate name of letters, digits, - and _ (got '{options.TlsName}')");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>TLS must be chosen explicitly: https:// with --tls, or http:// with --insecure.</summary>
    private static string? TransportRefusal(WorkerOptions options, Uri coordinator) => coordinator.Scheme switch
    {
        _ when options.Tls is not null && options.Insecure => "--tls and --insecure exclude each other",
        "https" when options.Insecure =>
            $"--coordinator {options.Coordinator}: https:// needs --tls DIR, not --insecure",
        "https" when options.Tls is null =>
            $"--coordinator {options.Coordinator}: https:// needs --tls DIR, the run's certificates "
                + "(made by cnnd certs create)",
        "http" when options.Tls is not null =>
            $"--coordinator {options.Coordinator}: with --tls the URL must start with https://",
        "http" when !options.Insecure =>
            $"--coordinator {options.Coordinator}: plaintext http:// needs --insecure "
                + "(or an https:// URL with --tls DIR)",
        _ => null,
    };
}
