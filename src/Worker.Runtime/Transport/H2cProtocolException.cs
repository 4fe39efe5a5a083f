namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>The peer broke HTTP/2 (RFC 9113); the connection is closed with this message.</summary>
public sealed class H2cProtocolException(string message) : IOException($"HTTP/2 protocol error: {message}");
