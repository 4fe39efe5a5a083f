using Microsoft.Extensions.Logging;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// Hands the coordinator's and workers' loggers to the command's own logger factory (its console and levels).
/// </summary>
public sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
