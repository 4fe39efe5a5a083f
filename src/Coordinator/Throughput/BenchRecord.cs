using System.Text.Json;
using System.Text.Json.Serialization;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Model;
using CnnDistributed.Protocol;

namespace CnnDistributed.Coordinator.Throughput;

/// <summary>
/// One <c>bench</c> JSON line (docs/commands.md, "bench"), plus the distributed figures where they apply. The
/// benchmark runner under bench/ derives records with the fields of its own measurements.
/// </summary>
public record BenchRecord(
    [property: JsonPropertyName("what")] string What,
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond,
    [property: JsonPropertyName("steps")] long Steps,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [JsonPropertyName("steps_per_second")]
    public double? StepsPerSecond { get; init; }

    /// <summary>Coordinator work per step on the step path: serialization plus validation and aggregation.</summary>
    [JsonPropertyName("coordinator_cpu_ms_per_step")]
    public double? CoordinatorCpuMsPerStep { get; init; }

    /// <summary>Process CPU time per step (includes in-process workers or simulated peers).</summary>
    [JsonPropertyName("process_cpu_ms_per_step")]
    public double? ProcessCpuMsPerStep { get; init; }

    [JsonPropertyName("bytes_per_step")]
    public double? BytesPerStep { get; init; }

    /// <summary>The least any design must move per step: one weight set down and one gradient up per worker.</summary>
    [JsonPropertyName("minimum_bytes_per_step")]
    public double? MinimumBytesPerStep { get; init; }

    /// <summary>Bytes per step not counting the minibatch's sample bytes, which any design must ship once.</summary>
    [JsonPropertyName("bytes_per_step_without_samples")]
    public double? BytesPerStepWithoutSamples { get; init; }

    [JsonPropertyName("timings_per_step")]
    public StepTimings? TimingsPerStep { get; init; }

    /// <summary>
    /// This record with the step-path figures of a distributed run over <paramref name="steps"/> steps
    /// (<paramref name="total"/>: the executor's timings added up over them), and the wire minimum for
    /// <see cref="Workers"/> workers.
    /// </summary>
    public BenchRecord WithStepPath(StepTimings total, long steps)
    {
        var bytes = (double)(total.BytesSent + total.BytesReceived) / steps;
        return this with
        {
            CoordinatorCpuMsPerStep = (total.SerializationSeconds + total.AggregationSeconds) * 1000 / steps,
            BytesPerStep = bytes,
            BytesPerStepWithoutSamples = bytes - (double)BatchSize * (ModelShape.Pixels + 1),
            MinimumBytesPerStep = MinimumBytes(Workers),
        };
    }

    /// <summary>One weight set down and one gradient up per worker.</summary>
    public static double MinimumBytes(int workers) => 2.0 * workers * ProtocolLimits.TensorBytes;

    public string ToJsonLine() => JsonSerializer.Serialize(this, GetType(), Json);
}
