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
}
