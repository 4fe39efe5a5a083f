using System.Globalization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Progress;

/// <summary>The plain-text progress lines, shared by the plain and the live display.</summary>
public static class ProgressText
{
    public static string Epoch(EpochMetrics m, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {m.Epoch}/{epochs} step {m.Step} loss={m.TrainLoss:F4} acc={m.TrainAccuracy:F4} "
        + $"test_loss={m.TestLoss:F4} test_acc={m.TestAccuracy:F4} "
        + $"samples/s={m.SamplesPerSecond:F0} elapsed={m.ElapsedSeconds:F1}s");

    public static string Step(StepProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.TotalSteps} loss {p.TrainLoss:F3} acc {p.TrainAccuracy:F3} "
        + $"{p.SamplesPerSecond:F0}/s");
}
