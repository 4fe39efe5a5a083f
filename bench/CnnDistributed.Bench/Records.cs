using System.Text.Json.Serialization;
using CnnDistributed.Coordinator.Throughput;

namespace CnnDistributed.Bench;

// Each record lists the fields of its measurement after the common ones (JsonPropertyOrder 1).

/// <summary><c>scaling</c>: a distributed training figure beside the in-process engine's and the floor's of its round.</summary>
public sealed record ScalingRecord : BenchRecord
{
    /// <summary>The record of <paramref name="measured"/> with this measurement's fields added.</summary>
    public ScalingRecord(BenchRecord measured)
        : base(measured)
    {
    }

    /// <summary>Which round of the interleaved comparison this is (from 1).</summary>
    [JsonPropertyName("round")]
    [JsonPropertyOrder(1)]
    public required int Round { get; init; }

    /// <summary>Samples/s of the in-process engine on all the workers' threads, in the same round.</summary>
    [JsonPropertyName("in_process_samples_per_second")]
    [JsonPropertyOrder(1)]
    public required double InProcessSamplesPerSecond { get; init; }

    /// <summary>samples_per_second as a percentage of in_process_samples_per_second.</summary>
    [JsonPropertyName("percent_of_in_process")]
    [JsonPropertyOrder(1)]
    public required double PercentOfInProcess { get; init; }

    /// <summary>Samples/s of the same job on raw loopback sockets (<c>tcp-floor</c>), in the same round.</summary>
    [JsonPropertyName("floor_samples_per_second")]
    [JsonPropertyOrder(1)]
    public double? FloorSamplesPerSecond { get; init; }

    [JsonPropertyName("floor_percent_of_in_process")]
    [JsonPropertyOrder(1)]
    public double? FloorPercentOfInProcess { get; init; }
}

/// <summary><c>checkpoint</c>: training with a checkpoint every few steps against the same job without.</summary>
public sealed record CheckpointRecord : BenchRecord
{
    /// <summary>The record of <paramref name="measured"/> with this measurement's fields added.</summary>
    public CheckpointRecord(BenchRecord measured)
        : base(measured)
    {
    }

    /// <summary>Steps between checkpoints of the measured run.</summary>
    [JsonPropertyName("checkpoint_every")]
    [JsonPropertyOrder(1)]
    public required int CheckpointEvery { get; init; }

    /// <summary>Samples/s of the same job without checkpoints.</summary>
    [JsonPropertyName("baseline_samples_per_second")]
    [JsonPropertyOrder(1)]
    public required double BaselineSamplesPerSecond { get; init; }

    /// <summary>How much slower checkpointing made training, in percent.</summary>
    [JsonPropertyName("overhead_percent")]
    [JsonPropertyOrder(1)]
    public required double OverheadPercent { get; init; }
}

/// <summary><c>failover</c>: the time from a worker's death to its shards going to another worker.</summary>
public sealed record FailoverRecord : BenchRecord
{
    /// <summary>The record of <paramref name="measured"/> with this measurement's fields added.</summary>
    public FailoverRecord(BenchRecord measured)
        : base(measured)
    {
    }

    [JsonPropertyName("failover_ms_median")]
    [JsonPropertyOrder(1)]
    public required double FailoverMsMedian { get; init; }

    [JsonPropertyName("failover_ms_max")]
    [JsonPropertyOrder(1)]
    public required double FailoverMsMax { get; init; }

    [JsonPropertyName("failover_trials")]
    [JsonPropertyOrder(1)]
    public required int FailoverTrials { get; init; }
}

/// <summary>
/// <c>tls</c> and <c>checks</c>: one round of the same job measured two ways back to back (TLS against
/// <c>--insecure</c>; result checks on against off), this record's fields being the measured way's.
/// </summary>
public sealed record PairedRecord : BenchRecord
{
    /// <summary>The record of <paramref name="measured"/> with this measurement's fields added.</summary>
    public PairedRecord(BenchRecord measured)
        : base(measured)
    {
    }

    /// <summary>Which round of the interleaved comparison this is (from 1); the median line repeats the last.</summary>
    [JsonPropertyName("round")]
    [JsonPropertyOrder(1)]
    public required int Round { get; init; }

    /// <summary>What the measured way is compared with, e.g. <c>insecure</c> or <c>checks-off</c>.</summary>
    [JsonPropertyName("baseline")]
    [JsonPropertyOrder(1)]
    public required string Baseline { get; init; }

    /// <summary>Samples/s of the baseline, in the same round.</summary>
    [JsonPropertyName("baseline_samples_per_second")]
    [JsonPropertyOrder(1)]
    public required double BaselineSamplesPerSecond { get; init; }

    /// <summary>process_cpu_ms_per_step of the baseline, in the same round.</summary>
    [JsonPropertyName("baseline_process_cpu_ms_per_step")]
    [JsonPropertyOrder(1)]
    public double? BaselineProcessCpuMsPerStep { get; init; }

    /// <summary>samples_per_second as a percentage of baseline_samples_per_second.</summary>
    [JsonPropertyName("percent_of_baseline")]
    [JsonPropertyOrder(1)]
    public required double PercentOfBaseline { get; init; }
}
