using System.Text.Json.Serialization;

namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// Where a distributed step's time went, in seconds, and its bytes on the wire (gRPC message bytes). Compute is the
/// slowest worker's own report; network wait is the rest of the time spent waiting for results.
/// </summary>
public sealed record StepTimings(
    [property: JsonPropertyName("compute_s")] double ComputeSeconds,
    [property: JsonPropertyName("serialization_s")] double SerializationSeconds,
    [property: JsonPropertyName("network_wait_s")] double NetworkWaitSeconds,
    [property: JsonPropertyName("aggregation_s")] double AggregationSeconds,
    [property: JsonPropertyName("bytes_sent")] long BytesSent,
    [property: JsonPropertyName("bytes_received")] long BytesReceived)
{
    public static StepTimings Zero { get; } = new(0, 0, 0, 0, 0, 0);

    public static StepTimings operator +(StepTimings a, StepTimings b) => new(
        a.ComputeSeconds + b.ComputeSeconds,
        a.SerializationSeconds + b.SerializationSeconds,
        a.NetworkWaitSeconds + b.NetworkWaitSeconds,
        a.AggregationSeconds + b.AggregationSeconds,
        a.BytesSent + b.BytesSent,
        a.BytesReceived + b.BytesReceived);

    public static StepTimings operator -(StepTimings a, StepTimings b) => new(
        a.ComputeSeconds - b.ComputeSeconds,
        a.SerializationSeconds - b.SerializationSeconds,
        a.NetworkWaitSeconds - b.NetworkWaitSeconds,
        a.AggregationSeconds - b.AggregationSeconds,
        a.BytesSent - b.BytesSent,
        a.BytesReceived - b.BytesReceived);
}
