namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// The peer broke HTTP/2 (RFC 9113): the connection is closed with a GOAWAY carrying <see cref="ErrorCode"/>.
/// </summary>
public sealed class Http2ProtocolException(string message, Http2ErrorCode errorCode = Http2ErrorCode.ProtocolError)
    : IOException($"HTTP/2 protocol error: {message}")
{
    /// <summary>The error code the GOAWAY frame carries.</summary>
    public Http2ErrorCode ErrorCode { get; } = errorCode;
}
