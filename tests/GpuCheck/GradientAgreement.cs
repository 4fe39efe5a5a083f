using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;

namespace CnnDistributed.GpuCheck;

/// <summary>
/// How far a backend's shard gradients are from the double-precision reference: per element, |got − reference|
/// divided by the largest reference magnitude of that shard (the measure of the CPU agreement tests).
/// </summary>
public sealed record GradientAgreement(double WorstRelativeError, string WorstParameter, double WorstLossError, int CorrectMismatches)
{
    /// <summary>1e-5 of the gradient's largest magnitude: about 100 float ulps at that scale, far below a real bug (O(1)).</summary>
    public const double Tolerance = 1e-5;

    public bool Passed => WorstRelativeError <= Tolerance && WorstLossError <= 1e-3 && CorrectMismatches == 0;

    public static GradientAgreement Measure(IComputeBackend backend, float[] w, IReadOnlyList<ShardSamples> shards, InputScaling scaling)
    {
        var gradients = shards.Select(_ => new float[ModelShape.ParameterCount]).ToArray();
        var stats = new ShardStats[shards.Count];
        backend.ComputeGradients(w, shards, gradients, stats);
        var worst = 0.0;
        var worstParameter = "";
        var worstLoss = 0.0;
        var mismatches = 0;
        for (var i = 0; i < shards.Count; i++)
        {
            var (expected, lossSum, correct) = ReferenceGradient.Compute(w, shards[i], scaling);
            var scale = Math.Max(expected.Max(Math.Abs), double.Epsilon);
            foreach (var tensor in ModelShape.Tensors)
            {
                for (var p = tensor.Offset; p < tensor.Offset + tensor.Length; p++)
                {
                    var error = Math.Abs(gradients[i][p] - expected[p]) / scale;
                    if (error > worst || double.IsNaN(error))
                    {
                        worst = double.IsNaN(error) ? double.PositiveInfinity : error;
                        worstParameter = $"shard {i} {tensor.Name}[{p - tensor.Offset}]: got {gradients[i][p]:E6}, reference {expected[p]:E6}";
                    }
                }
            }
            worstLoss = Math.Max(worstLoss, Math.Abs(stats[i].LossSum - lossSum));
            mismatches += Math.Abs(stats[i].Correct - correct) + Math.Abs(stats[i].Samples - shards[i].Count);
        }
        return new GradientAgreement(worst, worstParameter, worstLoss, mismatches);
    }

    public override string ToString() =>
        $"worst relative error {WorstRelativeError:E2} (tolerance {Tolerance:E0}) at {WorstParameter}; worst loss-sum error {WorstLossError:E2}; stat mismatches {CorrectMismatches}";
}
