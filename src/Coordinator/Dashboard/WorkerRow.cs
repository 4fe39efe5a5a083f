using System.Text.Json.Serialization;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>
/// One worker as the dashboard's table shows it (docs/dashboard.md, "Workers"). Step times are the coordinator's
/// measure, from writing an assignment to receiving its result.
/// </summary>
public sealed record WorkerRow
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>connected, lost (gone while the run went on) or left (at the run's end).</summary>
    [JsonPropertyName("state")]
    public required string State { get; init; }

    [JsonPropertyName("device")]
    public required string Device { get; init; }

    /// <summary>Seconds since its latest result (null: none yet).</summary>
    [JsonPropertyName("heartbeat_age_s")]
    public double? HeartbeatAgeSeconds { get; init; }

    [JsonPropertyName("last_step_s")]
    public double? LastStepSeconds { get; init; }

    /// <summary>The median of its recent step times, sampled with the curves.</summary>
    [JsonPropertyName("median_step_s")]
    public double? MedianStepSeconds { get; init; }

    [JsonPropertyName("samples_per_second")]
    public double SamplesPerSecond { get; init; }

    /// <summary>Shards its latest result covered.</summary>
    [JsonPropertyName("shards_per_step")]
    public int ShardsPerStep { get; init; }

    /// <summary>
    /// Connected and below <see cref="RunMonitor.StragglerFraction"/> of the workers' median samples/s.
    /// </summary>
    [JsonPropertyName("straggler")]
    public bool Straggler { get; init; }

    /// <summary>Why it left (null while connected).</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }
}
