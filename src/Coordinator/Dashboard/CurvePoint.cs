using System.Text.Json.Serialization;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>
/// The training curves at one moment: running means of the current epoch, as the progress line shows them.
/// </summary>
public sealed record CurvePoint(
    [property: JsonPropertyName("elapsed_s")] double ElapsedSeconds,
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("train_loss")] double TrainLoss,
    [property: JsonPropertyName("train_accuracy")] double TrainAccuracy,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond);
