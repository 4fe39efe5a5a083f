using System.CommandLine;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd serve</c>: the cluster coordinator. Takes every <c>train</c> option, listens on <c>--listen</c>, waits for
/// <c>--expect-workers</c> remote workers (<c>cnnd-worker --coordinator URL</c>), trains, and writes the same outputs.
/// </summary>
public static class ServeCommand
{
    public static Command Create(CliConsole console, TerminationSignals signals)
    {
        var line = new TrainCommandLine();
        var listen = new Option<string>("--listen") { Description = "Address to listen on (HTTP/2 without TLS)", DefaultValueFactory = _ => "http://0.0.0.0:5000" };
        var expectWorkers = new Option<int>("--expect-workers") { Description = "Workers to wait for before training", DefaultValueFactory = _ => 1 };
        var joinTimeout = new Option<double>("--join-timeout") { Description = "Seconds to wait for them", DefaultValueFactory = _ => 600 };
        var metricsPort = new Option<int>("--metrics-port") { Description = "Port of the Prometheus /metrics endpoint, HTTP/1.1 (0: none)", DefaultValueFactory = _ => 9090 };
        var command = new Command("serve", "Cluster coordinator: wait for remote workers, then train") { listen, expectWorkers, joinTimeout, metricsPort };
        foreach (var option in line.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((parseResult, cancellationToken) =>
        {
            var serve = new ServeSettings
            {
                Listen = parseResult.GetValue(listen) ?? "",
                ExpectWorkers = parseResult.GetValue(expectWorkers),
                JoinTimeoutSeconds = parseResult.GetValue(joinTimeout),
                MetricsPort = parseResult.GetValue(metricsPort),
            };
            return new TrainCommand(console, line.Bind(parseResult), serve, signals).RunAsync(cancellationToken);
        });
        return command;
    }
}
