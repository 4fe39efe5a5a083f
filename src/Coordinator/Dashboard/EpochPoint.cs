using System.Text.Json.Serialization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>An epoch's <c>metrics.jsonl</c> line and when, on the dashboard's clock, it was written.</summary>
public sealed record EpochPoint(
    [property: JsonPropertyName("at_s")] double AtSeconds,
    [property: JsonPropertyName("metrics")] EpochMetrics Metrics);
