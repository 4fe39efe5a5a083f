using System.CommandLine;
using CnnDistributed.Hosting;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd health URL</c>: asks the standard gRPC health service (grpc.health.v1) of a coordinator or a worker's
/// <c>--health-port</c> whether it is serving. Exit 0 when SERVING, 1 otherwise; the container image's health check.
/// </summary>
public static class HealthCommand
{
    public static Command Create(CliConsole console)
    {
        var url = new Argument<string>("url")
        {
            Description = "The health endpoint: a coordinator's or a worker's --health-port, "
                + "e.g. http://127.0.0.1:8081 (HTTP/2 without TLS)",
        };
        var service = new Option<string>("--service")
        {
            Description = "Service name to ask about ['': the whole server]",
            DefaultValueFactory = _ => "",
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the answer",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command("health", "Check a coordinator's or worker's gRPC health service")
        {
            url,
            service,
            timeout,
        };
        command.SetAction((parseResult, cancellationToken) => CheckAsync(
            console,
            parseResult.GetRequiredValue(url),
            parseResult.GetValue(service) ?? "",
            parseResult.GetValue(timeout),
            cancellationToken));
        return command;
    }

    private static async Task<int> CheckAsync(
        CliConsole console,
        string url,
        string service,
        double timeoutSeconds,
        CancellationToken cancellationToken)
    {
        if (OptionChecks.Positive("--timeout", timeoutSeconds) is { } error)
        {
            throw new UsageException(error);
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme != Uri.UriSchemeHttp)
        {
            throw new UsageException($"url '{url}' is not an http:// URL");
        }
        using var channel = GrpcChannel.ForAddress(address);
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(
                new HealthCheckRequest { Service = service },
                deadline: DateTime.UtcNow.AddSeconds(timeoutSeconds),
                cancellationToken: cancellationToken);
            console.Out.WriteLine(reply.Status.ToString().ToUpperInvariant());
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? ExitCodes.Success
                : ExitCodes.Failure;
        }
        catch (RpcException e)
        {
            console.Error.WriteLine($"error: {address}: {e.Status.StatusCode}: {e.Status.Detail}");
            return ExitCodes.Failure;
        }
    }
}
