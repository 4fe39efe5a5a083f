using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>
/// One thing that happened in a run, as the dashboard streams it (docs/dashboard.md, "Events"): ids increase by one
/// from 1, <paramref name="ElapsedSeconds"/> is on the same clock as the curves' <c>elapsed_s</c>.
/// </summary>
public sealed record RunEvent(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("elapsed_s")] double ElapsedSeconds,
    [property: JsonPropertyName("data")] JsonNode Data);
