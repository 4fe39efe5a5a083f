namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>The HTTP/2 error codes this client sends in GOAWAY and RST_STREAM frames (RFC 9113 §7).</summary>
public enum Http2ErrorCode : uint
{
    /// <summary>NO_ERROR.</summary>
    NoError = 0,

    /// <summary>PROTOCOL_ERROR: a frame or sequence of frames the protocol forbids.</summary>
    ProtocolError = 1,

    /// <summary>FLOW_CONTROL_ERROR: data beyond a window, or a window above 2^31-1.</summary>
    FlowControlError = 3,

    /// <summary>FRAME_SIZE_ERROR: a frame larger than this side accepts.</summary>
    FrameSizeError = 6,

    /// <summary>CANCEL: the stream is no longer needed.</summary>
    Cancel = 8,

    /// <summary>COMPRESSION_ERROR: a header block that does not decode.</summary>
    CompressionError = 9,
}
