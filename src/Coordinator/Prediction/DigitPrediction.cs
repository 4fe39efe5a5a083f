using System.Text.Json.Serialization;

namespace CnnDistributed.Coordinator.Prediction;

/// <summary>What <c>cnnd predict</c> says about one image (docs/commands.md, "predict").</summary>
public sealed record DigitPrediction
{
    /// <summary>The predicted digit: the class of the highest probability.</summary>
    [JsonPropertyName("label")]
    public required int Label { get; init; }

    /// <summary>The softmax of the ten logits, digit 0 first.</summary>
    [JsonPropertyName("probabilities")]
    public required double[] Probabilities { get; init; }

    /// <summary>The image's label in the data set (<c>--index</c>), null for <c>--image</c>.</summary>
    [JsonPropertyName("true_label")]
    public int? TrueLabel { get; init; }

    /// <summary>Where the image came from: <c>test image I of DIR</c> or the PNG's path.</summary>
    [JsonPropertyName("source")]
    public required string Source { get; init; }
}
