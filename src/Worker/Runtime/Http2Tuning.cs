using CnnDistributed.Worker.Transport;

namespace CnnDistributed.Worker.Runtime;

/// <summary>
/// HTTP/2 settings shared by both ends of the work stream. The defaults (64 KiB stream window, 96/128 KiB on Kestrel,
/// 16 KiB frames) are smaller than one 138,488-byte weight set or gradient, so every message would stall for
/// WINDOW_UPDATE round trips and cross as nine frames; a window of several messages and frames larger than one let each
/// go out in one burst.
/// </summary>
public static class Http2Tuning
{
    public const int WindowBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The largest HTTP/2 frame either end accepts (SETTINGS_MAX_FRAME_SIZE; the protocol's default is 16 KiB): a weight
    /// set or a gradient crosses as one DATA frame, which the receiving end processes once instead of nine times.
    /// </summary>
    public const int MaxFrameBytes = 256 * 1024;

    /// <summary>
    /// A handler for a worker's channel: HTTP/2 without TLS through <see cref="H2cHandler"/>, which sends each message
    /// in one system call and pings the coordinator every <paramref name="keepAliveInterval"/>.
    /// </summary>
    public static HttpMessageHandler CreateHandler(TimeSpan keepAliveInterval, TimeSpan keepAliveTimeout, TimeProvider timeProvider) =>
        new H2cHandler(new H2cTimeouts(TimeSpan.FromSeconds(5), keepAliveInterval, keepAliveTimeout), timeProvider);
}
