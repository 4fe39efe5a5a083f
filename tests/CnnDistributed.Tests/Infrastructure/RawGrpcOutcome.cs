using System.Globalization;
using Grpc.Core;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// How a raw gRPC call ended: its <c>grpc-status</c> and <c>grpc-message</c>, or a null status and the error when the
/// stream or connection was reset without one.
/// </summary>
public sealed record RawGrpcOutcome(StatusCode? Status, string Detail)
{
    public static RawGrpcOutcome From(HttpResponseMessage response)
    {
        var headers = response.TrailingHeaders.Contains("grpc-status") ? response.TrailingHeaders : response.Headers;
        if (!headers.TryGetValues("grpc-status", out var status))
        {
            return new RawGrpcOutcome(null, $"HTTP {(int)response.StatusCode} without a grpc-status");
        }
        var detail = headers.TryGetValues("grpc-message", out var message) ? Uri.UnescapeDataString(message.First()) : "";
        return new RawGrpcOutcome((StatusCode)int.Parse(status.First(), CultureInfo.InvariantCulture), detail);
    }
}
