using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// Log lines of the coordinator and its workers: one line each, on stderr, so stdout stays progress and JSON only.
/// </summary>
public static class CoordinatorLogging
{
    public static ILoggerFactory Create(CliConsole console, LogLevel minimum) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(minimum)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Grpc", LogLevel.Warning)
        .AddSimpleConsole(format =>
        {
            format.SingleLine = true;
            format.TimestampFormat = "HH:mm:ss ";
            format.ColorBehavior = console.Interactive ? LoggerColorBehavior.Default : LoggerColorBehavior.Disabled;
        })
        .AddConsole(sink => sink.LogToStandardErrorThreshold = LogLevel.Trace));
}
