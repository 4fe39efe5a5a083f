using CnnDistributed.Core.Training;

namespace CnnDistributed.Core.Checkpoints;

/// <summary>
/// Everything needed to continue a job exactly: weights, optimizer state and the position in the data.
/// The data order needs no saved generator state: an epoch's order is rebuilt from (seed, epoch).
/// </summary>
public sealed record TrainingCheckpoint
{
    /// <summary>The options the job was started with; a resumed job keeps them.</summary>
    public required TrainingOptions Options { get; init; }

    /// <summary>Optimizer steps taken so far.</summary>
    public required long Step { get; init; }

    /// <summary>The epoch the next step belongs to (0-based).</summary>
    public required int Epoch { get; init; }

    /// <summary>Index, within that epoch, of the next minibatch.</summary>
    public required int BatchInEpoch { get; init; }

    /// <summary>
    /// Cross-entropy summed over the unfinished epoch's samples so far; with <see cref="EpochCorrect"/> and
    /// <see cref="EpochSamples"/> it lets a resumed epoch report metrics as if it had never been interrupted.
    /// </summary>
    public required double EpochLossSum { get; init; }

    /// <summary>Samples of the unfinished epoch predicted correctly so far.</summary>
    public required long EpochCorrect { get; init; }

    /// <summary>Samples of the unfinished epoch trained on so far.</summary>
    public required long EpochSamples { get; init; }

    /// <summary>Wall time spent before this checkpoint, in seconds.</summary>
    public required double ElapsedSeconds { get; init; }

    /// <summary>Training samples of all steps so far.</summary>
    public long Samples { get; init; }

    /// <summary>Training time (test evaluations excluded) of all steps so far, in seconds.</summary>
    public double TrainingSeconds { get; init; }

    /// <summary>
    /// The metrics.jsonl lines of the epochs finished so far; a resumed job writes them again before its own.
    /// </summary>
    public IReadOnlyList<EpochMetrics> CompletedEpochs { get; init; } = [];

    /// <summary>The weights after <see cref="Step"/> steps, laid out as <see cref="Model.ModelShape"/> says.</summary>
    public required float[] Parameters { get; init; }

    /// <summary>The SGD momentum buffer.</summary>
    public required float[] Velocity { get; init; }
}
