using System.Text.Json;
using CnnDistributed.Coordinator.Runs;
using CnnDistributed.Core.Evaluation;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Coordinator.Evaluation;

/// <summary>What <c>cnnd evaluate</c> reports; serialised as the <c>--json</c> output.</summary>
public sealed record EvaluationReport
{
    public required string Weights { get; init; }
    public required string Data { get; init; }
    public required string Device { get; init; }
    public required int Samples { get; init; }
    public required int Correct { get; init; }
    public required double TestAccuracy { get; init; }
    public required double TestLoss { get; init; }

    /// <summary>Accuracy of each digit class 0–9.</summary>
    public required double[] PerClassAccuracy { get; init; }

    /// <summary><c>confusion_matrix[label][predicted]</c>.</summary>
    public required int[][] ConfusionMatrix { get; init; }

    public static EvaluationReport From(SplitEvaluation evaluation, string weights, string data, string device) => new()
    {
        Weights = weights,
        Data = data,
        Device = device,
        Samples = evaluation.Samples,
        Correct = evaluation.Correct,
        TestAccuracy = evaluation.Accuracy,
        TestLoss = evaluation.Loss,
        PerClassAccuracy = Enumerable.Range(0, ModelShape.Classes).Select(evaluation.ClassAccuracy).ToArray(),
        ConfusionMatrix = evaluation.Confusion,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonFormats.Line);
}
