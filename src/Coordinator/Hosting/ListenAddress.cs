using System.Net;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>
/// Parses a <c>--listen</c> URL into an endpoint: https:// when the coordinator speaks mutual TLS, http:// when it runs
/// <c>--insecure</c>; port 0 picks a free port.
/// </summary>
public static class ListenAddress
{
    /// <summary>The endpoint of <paramref name="url"/>, whose scheme must match <paramref name="tls"/>.</summary>
    /// <exception cref="ArgumentException">The URL is malformed or its scheme does not match.</exception>
    public static IPEndPoint Parse(string url, bool tls)
    {
        var scheme = tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/"
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not a listen URL such as {scheme}://0.0.0.0:5000");
        }
        if (uri.Scheme != scheme)
        {
            throw new ArgumentException(tls
                ? $"'{url}': with --tls the coordinator listens on an https:// URL"
                : $"'{url}': with --insecure the coordinator listens on an http:// URL");
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
