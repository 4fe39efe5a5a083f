namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// How long an <see cref="Http2Handler"/> waits to connect, how often it pings an idle-or-busy peer
/// (<see cref="Timeout.InfiniteTimeSpan"/>: never), and how long it waits for the ping's answer before it gives the
/// connection up.
/// </summary>
public sealed record Http2Timeouts(TimeSpan Connect, TimeSpan KeepAliveInterval, TimeSpan KeepAliveTimeout);
