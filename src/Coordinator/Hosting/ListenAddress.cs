using System.Net;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>
/// Parses a <c>--listen</c> URL (http only: the coordinator speaks HTTP/2 without TLS) into an endpoint; port 0 picks a
/// free port.
/// </summary>
public static class ListenAddress
{
    public static IPEndPoint Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttp
            || uri.AbsolutePath != "/")
        {
            throw new ArgumentException(
                $"'{url}' is not a listen URL such as http://0.0.0.0:5000 "
                + "(http only; the cluster speaks HTTP/2 without TLS)");
        }
        var host = uri.Host.Trim('[', ']');
        var address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" or "0.0.0.0" => IPAddress.Any,
            _ when IPAddress.TryParse(host, out var parsed) => parsed,
            _ => throw new ArgumentException($"listen URL '{url}' must name an IP address, localhost or 0.0.0.0"),
        };
        return new IPEndPoint(address, uri.Port);
    }
}
