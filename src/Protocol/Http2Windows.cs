namespace CnnDistributed.Protocol;

/// <summary>
/// HTTP/2 flow-control settings both ends of the work stream use. The protocol's defaults (a 64 KiB stream window,
/// 16 KiB frames) are smaller than one weight set or gradient, so every message would stall for WINDOW_UPDATE round
/// trips and cross as many frames; a window of several messages and frames larger than one let each go out in one
/// burst.
/// </summary>
public static class Http2Windows
{
    /// <summary>The initial connection and stream receive windows either end grants.</summary>
    public const int WindowBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The largest HTTP/2 frame either end accepts (SETTINGS_MAX_FRAME_SIZE): a weight set or a gradient crosses as one
    /// DATA frame, which the receiving end processes once.
    /// </summary>
    public const int MaxFrameBytes = 256 * 1024;
}
