using System.Net;
using System.Net.Sockets;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>Ports for the processes and servers the tests start on 127.0.0.1.</summary>
public static class LoopbackPort
{
    /// <summary>A port on 127.0.0.1 that was free a moment ago.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Waits until something accepts connections on <paramref name="port"/> of 127.0.0.1. Each probe closes without
    /// sending a byte, which the coordinator does not log.
    /// </summary>
    /// <exception cref="OperationCanceledException">Nothing did within <paramref name="timeout"/>.</exception>
    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port, cancel.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancel.Token);
            }
        }
    }
}
