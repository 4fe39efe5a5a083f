using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Evaluation;

/// <summary>Loss, accuracy and confusion matrix of one set of weights on one data split.</summary>
public sealed class SplitEvaluation(int samples, double lossSum, int[][] confusion)
{
    /// <summary>The number of samples evaluated: the whole split.</summary>
    public int Samples { get; } = samples;

    /// <summary>Per-sample cross-entropy summed in sample order, in double.</summary>
    public double LossSum { get; } = lossSum;

    /// <summary>
    /// <c>Confusion[label][predicted]</c>: how many samples of class <c>label</c> were predicted as <c>predicted</c>.
    /// </summary>
    public int[][] Confusion { get; } = confusion;

    /// <summary>Samples whose predicted class is their label: the diagonal of <see cref="Confusion"/>.</summary>
    public int Correct => Enumerable.Range(0, ModelShape.Classes).Sum(c => Confusion[c][c]);

    /// <summary>Mean cross-entropy per sample (0 for an empty split).</summary>
    public double Loss => Samples > 0 ? LossSum / Samples : 0;

    /// <summary>The fraction of samples predicted correctly, in [0, 1] (0 for an empty split).</summary>
    public double Accuracy => Samples > 0 ? (double)Correct / Samples : 0;

    /// <summary>Samples of class <paramref name="label"/> in the split.</summary>
    public int ClassCount(int label) => Confusion[label].Sum();

    /// <summary>Fraction of class <paramref name="label"/> predicted correctly (0 when the split has none).</summary>
    public double ClassAccuracy(int label)
    {
        var count = ClassCount(label);
        return count > 0 ? (double)Confusion[label][label] / count : 0;
    }
}
