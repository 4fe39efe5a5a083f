using System.Runtime.InteropServices;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Gpu;
using CnnDistributed.Core.Engine.Portable;
using CnnDistributed.Core.Model;

namespace CnnDistributed.GpuCheck;

/// <summary>
/// The GPU agreement checks at real sizes, for a machine with a GPU: shard gradients against the double
/// reference (uneven shards in one call, both input scalings), run-to-run and shard-assignment determinism, the
/// tree sums on the device against the host's, evaluation against the reference, and 20 training steps against the CPU engine. Prints one line per check.
/// </summary>
public static class AgreementChecks
{
    /// <summary>Weight tolerance after 20 steps (ILGPU's CPU simulator measures 3.7e-7; see the unit tests).</summary>
    public const double TrainingTolerance = 1e-4;

    /// <summary>Runs every check; returns the number that failed.</summary>
    public static int Run(GpuBackend unitRange, GpuBackend normalized, MnistDataset data, TextWriter log)
    {
        var failures = 0;
        void Report(string name, bool passed, string detail)
        {
            log.WriteLine($"{(passed ? "PASS" : "FAIL")} {name}: {detail}");
            failures += passed ? 0 : 1;
        }

        var train = data.Train.All;
        var w = WeightInitializer.Create(3);
        ShardSamples[] uneven = [train.Slice(0, 16), train.Slice(16, 16), train.Slice(32, 16), train.Slice(48, 15), train.Slice(63, 1)];
        var gradient = GradientAgreement.Measure(unitRange, w, uneven, InputScaling.UnitRange);
        Report("gradients of 5 uneven shards vs double reference, [0,1] inputs", gradient.Passed, gradient.ToString());
        var normalizedGradient = GradientAgreement.Measure(normalized, w, [train.Slice(200, 33), train.Slice(233, 31)], InputScaling.MnistNormalized);
        Report("gradients vs double reference, normalized inputs", normalizedGradient.Passed, normalizedGradient.ToString());

        var alone = Gradients(unitRange, w, [uneven[1]])[0];
        var again = Gradients(unitRange, w, [uneven[1]])[0];
        var inBatch = Gradients(unitRange, w, uneven)[1];
        Report("a shard's gradient is bit-identical across runs and shard assignments",
            Bytes(alone).SequenceEqual(Bytes(again)) && Bytes(alone).SequenceEqual(Bytes(inBatch)), unitRange.DeviceKind);

        var treeSum = TreeSumAgreement.FirstDifference(
            unitRange, w, [.. Enumerable.Range(1, 7).Select(s => train.Slice(100 + 8 * s, s))], 8, 1);
        Report("tree sums on the device equal the host's tree sum of the shard gradients, bit for bit",
            treeSum is null, treeSum ?? "3 nodes of shards [1,8) of 8");

        var (lossError, mispredicted) = EvaluationError(unitRange, w, data.Test.All.Slice(0, Math.Min(1000, data.Test.Count)));
        Report("evaluation of 1000 test digits vs double reference", lossError <= 1e-4 && mispredicted == 0, $"worst loss error {lossError:E2}, {mispredicted} predictions differ");

        var steps = Enumerable.Range(0, 20)
            .Select(k => (IReadOnlyList<ShardSamples>)Enumerable.Range(0, 8).Select(s => train.Slice(k * 64 + s * 8, 8)).ToList())
            .ToList();
        var drift = TrainingAgreement.MaxRelativeWeightDifference(unitRange, WeightInitializer.Create(11), steps, 0.1f, 0.9f, nesterov: true, weightDecay: 1e-3f);
        Report("20 SGD steps (batch 64 in 8 shards) vs the CPU engine", drift <= TrainingTolerance, $"max weight difference {drift:E2} of the largest weight (tolerance {TrainingTolerance:E0})");
        return failures;
    }

    private static (double LossError, int Mispredicted) EvaluationError(GpuBackend backend, float[] w, ShardSamples samples)
    {
        var losses = new float[samples.Count];
        var predictions = new byte[samples.Count];
        backend.Evaluate(w, samples, losses, predictions);
        var network = new DirectNetwork<double>();
        var wd = w.Select(x => (double)x).ToArray();
        var worst = 0.0;
        var mispredicted = 0;
        for (var s = 0; s < samples.Count; s++)
        {
            var (loss, predicted) = network.Forward(wd, ReferenceGradient.Image(samples, s, InputScaling.UnitRange), samples.Labels.Span[s]);
            worst = Math.Max(worst, Math.Abs(loss - losses[s]));
            mispredicted += predicted == predictions[s] ? 0 : 1;
        }
        return (worst, mispredicted);
    }

    private static float[][] Gradients(IComputeBackend backend, float[] w, IReadOnlyList<ShardSamples> shards)
    {
        var gradients = shards.Select(_ => new float[ModelShape.ParameterCount]).ToArray();
        backend.ComputeGradients(w, shards, gradients, new ShardStats[shards.Count]);
        return gradients;
    }

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
