using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// Keeps every log line ("Level Category: message") so tests can assert what was logged and why; an exception passed
/// to the logger follows its line, as a console logger prints it.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var line = $"{logLevel} {category}: {formatter(state, exception)}";
                lines.Enqueue(exception is null ? line : $"{line}{Environment.NewLine}{exception}");
            }
        }
    }
}
