using System.Text.Json;
using System.Text.Json.Serialization;
using CnnDistributed.Coordinator.Cluster;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Coordinator.Benchmarks;

/// <summary>One <c>bench</c> JSON line (CONTRACT §4 fields, plus the distributed figures where they apply).</summary>
public sealed record BenchRecord(
    [property: JsonPropertyName("what")] string What,
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond,
    [property: JsonPropertyName("steps")] long Steps,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

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

    /// <summary>One weight set down and one gradient up per worker: workers × 2 × 138,488 bytes.</summary>
    [JsonPropertyName("minimum_bytes_per_step")]
    public double? MinimumBytesPerStep { get; init; }

    /// <summary>Bytes per step not counting the minibatch's sample bytes, which any design must ship once.</summary>
    [JsonPropertyName("bytes_per_step_without_samples")]
    public double? BytesPerStepWithoutSamples { get; init; }

    [JsonPropertyName("timings_per_step")]
    public StepTimings? TimingsPerStep { get; init; }

    /// <summary><c>checkpoint</c>: steps between checkpoints of the measured run.</summary>
    [JsonPropertyName("checkpoint_every")]
    public int? CheckpointEvery { get; init; }

    /// <summary><c>checkpoint</c>: samples/s of the same job without checkpoints.</summary>
    [JsonPropertyName("baseline_samples_per_second")]
    public double? BaselineSamplesPerSecond { get; init; }

    /// <summary><c>checkpoint</c>: how much slower checkpointing made training, in percent.</summary>
    [JsonPropertyName("overhead_percent")]
    public double? OverheadPercent { get; init; }

    /// <summary><c>failover</c>: median time from a worker's death to its shards going to another worker.</summary>
    [JsonPropertyName("failover_ms_median")]
    public double? FailoverMsMedian { get; init; }

    [JsonPropertyName("failover_ms_max")]
    public double? FailoverMsMax { get; init; }

    [JsonPropertyName("failover_trials")]
    public int? FailoverTrials { get; init; }

    /// <summary><c>scaling</c>: which round of the interleaved comparison this is (from 1).</summary>
    [JsonPropertyName("round")]
    public int? Round { get; init; }

    /// <summary><c>scaling</c>: samples/s of the in-process engine on all the workers' threads, in the same round.</summary>
    [JsonPropertyName("in_process_samples_per_second")]
    public double? InProcessSamplesPerSecond { get; init; }

    /// <summary><c>scaling</c>: samples_per_second as a percentage of in_process_samples_per_second (goal: at least 90).</summary>
    [JsonPropertyName("percent_of_in_process")]
    public double? PercentOfInProcess { get; init; }

    /// <summary><c>scaling</c>: samples/s of the same job on raw loopback sockets (<c>tcp-floor</c>), in the same round.</summary>
    [JsonPropertyName("floor_samples_per_second")]
    public double? FloorSamplesPerSecond { get; init; }

    [JsonPropertyName("floor_percent_of_in_process")]
    public double? FloorPercentOfInProcess { get; init; }

    /// <summary>
    /// This record with the step-path figures of a distributed run over <paramref name="steps"/> steps (<paramref name="total"/>:
    /// the executor's timings added up over them), and the wire minimum for <see cref="Workers"/> workers.
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
    public static double MinimumBytes(int workers) => 2.0 * workers * StepResultValidator.GradientBytes;

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);
}
