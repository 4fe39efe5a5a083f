using System.Buffers;
using CnnDistributed.Worker.Runtime.Transport.Hpack;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// Encodes a request's headers as an HPACK block of literals (no dynamic table, so no state to keep in step).
/// </summary>
internal static class RequestHeaders
{
    /// <summary>Headers that HTTP/2 forbids (RFC 9113 §8.2.2) or carries as pseudo-headers.</summary>
    private static readonly HashSet<string> Excluded = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "host", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
    };

    public static byte[] Encode(HttpRequestMessage request, string scheme, string authority)
    {
        var uri = request.RequestUri!;
        var output = new ArrayBufferWriter<byte>(256);
        HpackEncoder.WriteLiteral(":method", request.Method.Method, output);
        HpackEncoder.WriteLiteral(":scheme", scheme, output);
        HpackEncoder.WriteLiteral(":authority", authority, output);
        HpackEncoder.WriteLiteral(":path", uri.PathAndQuery, output);
        Write(request.Headers.NonValidated, output);
        if (request.Content is not null)
        {
            Write(request.Content.Headers.NonValidated, output);
        }
        return output.WrittenSpan.ToArray();
    }

    private static void Write(System.Net.Http.Headers.HttpHeadersNonValidated headers, ArrayBufferWriter<byte> output)
    {
        foreach (var (name, values) in headers)
        {
            if (Excluded.Contains(name))
            {
                continue;
            }
            var lowered = name.ToLowerInvariant();
            foreach (var value in values)
            {
                HpackEncoder.WriteLiteral(lowered, value, output);
            }
        }
    }
}
