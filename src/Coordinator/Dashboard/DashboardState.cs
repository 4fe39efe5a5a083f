using System.Text.Json.Serialization;
namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>What <c>GET /api/state</c> returns (docs/dashboard.md, "State").</summary>
public sealed record DashboardState
{
    /// <summary>The run's output folder name.</summary>
    [JsonPropertyName("run_id")]
    public required string RunId { get; init; }

    /// <summary>running, finished or failed.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Every flag's value, as summary.json records them.</summary>
    [JsonPropertyName("config")]
    public required IReadOnlyDictionary<string, object?> Config { get; init; }

    [JsonPropertyName("seed")]
    public required ulong Seed { get; init; }

    [JsonPropertyName("device_choice")]
    public required string DeviceChoice { get; init; }

    [JsonPropertyName("epoch")]
    public required int Epoch { get; init; }

    [JsonPropertyName("epochs")]
    public required int Epochs { get; init; }

    [JsonPropertyName("step")]
    public required long Step { get; init; }

    [JsonPropertyName("total_steps")]
    public required long TotalSteps { get; init; }

    [JsonPropertyName("elapsed_s")]
    public required double ElapsedSeconds { get; init; }

    /// <summary>
    /// Seconds to the last step at the run's mean pace so far (null before the first step, and when done).
    /// </summary>
    [JsonPropertyName("eta_s")]
    public double? EtaSeconds { get; init; }

    [JsonPropertyName("points")]
    public required IReadOnlyList<CurvePoint> Points { get; init; }

    [JsonPropertyName("epoch_metrics")]
    public required IReadOnlyList<EpochPoint> EpochMetrics { get; init; }

    [JsonPropertyName("workers")]
    public required IReadOnlyList<WorkerRow> Workers { get; init; }

    /// <summary>
    /// The newest events (at most <see cref="RunMonitor.RecentEvents"/>); <c>/api/events</c> has them all.
    /// </summary>
    [JsonPropertyName("recent_events")]
    public required IReadOnlyList<RunEvent> RecentEvents { get; init; }

    /// <summary>The newest event's id: <c>/api/events?after=</c> it continues from this state without a gap.</summary>
    [JsonPropertyName("last_event_id")]
    public required long LastEventId { get; init; }
}
