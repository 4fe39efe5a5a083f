using System.Text.Json.Serialization;

namespace CnnDistributed.Coordinator.Tracing;

/// <summary>
/// One entry of the Chrome trace-event format (what Perfetto and <c>chrome://tracing</c> open): a complete span
/// (<c>ph</c> X, with <see cref="DurationMicros"/>), an instant (i) or a track's name (M). Times are microseconds since
/// the trace began.
/// </summary>
public sealed record TraceEvent
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("ph")]
    public required string Phase { get; init; }

    [JsonPropertyName("ts")]
    public double TimestampMicros { get; init; }

    [JsonPropertyName("dur")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DurationMicros { get; init; }

    [JsonPropertyName("pid")]
    public int Process { get; init; } = 1;

    /// <summary>The track: 1 is the coordinator, each worker has its own.</summary>
    [JsonPropertyName("tid")]
    public required int Track { get; init; }

    /// <summary>An instant's scope: <c>t</c>, its track.</summary>
    [JsonPropertyName("s")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Scope { get; init; }

    [JsonPropertyName("args")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, object>? Args { get; init; }
}
