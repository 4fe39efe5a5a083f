using System.Net;
using CnnDistributed.Coordinator.Cli;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>A run's <see cref="RunMonitor"/> and the <see cref="DashboardEndpoint"/> that serves it.</summary>
public sealed class RunDashboard : IAsyncDisposable
{
    private readonly DashboardEndpoint _endpoint;

    private RunDashboard(RunMonitor monitor, DashboardEndpoint endpoint)
    {
        Monitor = monitor;
        _endpoint = endpoint;
    }

    public RunMonitor Monitor { get; }

    /// <summary>The page's URL.</summary>
    public Uri Address => _endpoint.Address;

    /// <summary>
    /// Starts the dashboard <paramref name="run"/> asks for (<c>--dashboard</c>, <c>--dashboard-listen</c>; null when
    /// it asks for none) and prints its URL to <paramref name="announce"/>.
    /// </summary>
    public static async Task<RunDashboard?> StartAsync(
        RunOptions run, RunDescription description, TextWriter announce, CancellationToken cancellationToken)
    {
        if (run.Dashboard is not { } port)
        {
            return null;
        }
        var monitor = new RunMonitor(description, new RunEventLog(TimeProvider.System), TimeProvider.System);
        try
        {
            var endpoint = await DashboardEndpoint.StartAsync(
                IPAddress.Parse(run.DashboardListen), port, monitor, cancellationToken);
            announce.WriteLine($"dashboard: {endpoint.Address}");
            return new RunDashboard(monitor, endpoint);
        }
        catch (IOException e)
        {
            monitor.Dispose();
            throw new UsageException($"--dashboard {port}: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        Monitor.Dispose();
    }
}
