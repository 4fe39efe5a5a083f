using System.Text.Json.Serialization;

namespace CnnDistributed.Core.Training;

/// <summary>One line of <c>metrics.jsonl</c> (docs/outputs.md), written after each epoch's test evaluation.</summary>
public sealed record EpochMetrics
{
    /// <summary>1-based epoch number.</summary>
    [JsonPropertyName("epoch")]
    public required int Epoch { get; init; }

    /// <summary>Optimizer steps taken so far.</summary>
    [JsonPropertyName("step")]
    public required long Step { get; init; }

    /// <summary>Mean cross-entropy over the epoch's training samples, each measured before its step's update.</summary>
    [JsonPropertyName("train_loss")]
    public required double TrainLoss { get; init; }

    /// <summary>Fraction of the epoch's training samples predicted correctly, each before its step's update.</summary>
    [JsonPropertyName("train_accuracy")]
    public required double TrainAccuracy { get; init; }

    /// <summary>Mean cross-entropy over the test split, with the weights at the end of the epoch.</summary>
    [JsonPropertyName("test_loss")]
    public required double TestLoss { get; init; }

    /// <summary>Fraction of the test split predicted correctly, with the weights at the end of the epoch.</summary>
    [JsonPropertyName("test_accuracy")]
    public required double TestAccuracy { get; init; }

    /// <summary>Training samples of this epoch per second of its training time (test evaluation excluded).</summary>
    [JsonPropertyName("samples_per_second")]
    public required double SamplesPerSecond { get; init; }

    /// <summary>Wall time since the job started, test evaluations included.</summary>
    [JsonPropertyName("elapsed_s")]
    public required double ElapsedSeconds { get; init; }

    /// <summary>Workers that computed the steps (1 when training in-process).</summary>
    [JsonPropertyName("workers")]
    public required int Workers { get; init; }
}
