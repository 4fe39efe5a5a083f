using System.Text.Json.Serialization;

namespace CnnDistributed.Core.Training;

/// <summary>
/// Where a job stands after an optimizer step. <see cref="Epoch"/> is 1-based; loss and accuracy are the running
/// means over the current epoch's samples so far.
/// </summary>
public sealed record StepProgress(
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("epochs")] int Epochs,
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("total_steps")] long TotalSteps,
    [property: JsonPropertyName("train_loss")] double TrainLoss,
    [property: JsonPropertyName("train_accuracy")] double TrainAccuracy,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond,
    [property: JsonPropertyName("elapsed_s")] double ElapsedSeconds);
