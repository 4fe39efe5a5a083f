using System.Text.Json.Serialization;
using CnnDistributed.Core.Engine;

namespace CnnDistributed.Core.Training;

/// <summary>
/// Everything that decides a training job's result (docs/commands.md). Two jobs with equal options and data
/// produce bit-identical weights on one device kind, whatever the worker and thread counts.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set (<c>--epochs</c>, default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>
    /// Samples per optimizer step (<c>--batch-size</c>, default 64). The last batch of an epoch may be shorter.
    /// </summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Peak learning rate (<c>--lr</c>, default 0.1).</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>SGD momentum μ (<c>--momentum</c>, default 0).</summary>
    public float Momentum { get; init; }

    /// <summary>Nesterov momentum (<c>--nesterov</c>).</summary>
    public bool Nesterov { get; init; }

    /// <summary>L2 weight decay (<c>--weight-decay</c>, default 0).</summary>
    public float WeightDecay { get; init; }

    /// <summary>Learning-rate schedule (<c>--lr-schedule</c>, default constant).</summary>
    public LearningRateScheduleKind Schedule { get; init; } = LearningRateScheduleKind.Constant;

    /// <summary>Linear warm-up steps (<c>--warmup-steps</c>, default 0).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>
    /// For the step schedule: multiply the rate by <see cref="LearningRateDecay"/> every this many epochs
    /// (<c>--lr-step-epochs</c>, default 3).
    /// </summary>
    public int LearningRateStepEpochs { get; init; } = 3;

    /// <summary>For the step schedule: the factor applied at each step (<c>--lr-gamma</c>, default 0.1).</summary>
    public float LearningRateDecay { get; init; } = 0.1f;

    /// <summary>Seed of the initial weights and the data order (<c>--seed</c>, default 1).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps (<c>--max-steps</c>); null runs all epochs.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Shuffle the training set each epoch (off with <c>--no-shuffle</c>).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Visit the training samples in file order (<c>--no-shuffle</c>): the inverse of <see cref="Shuffle"/>.
    /// </summary>
    [JsonIgnore]
    public bool NoShuffle
    {
        get => !Shuffle;
        init => Shuffle = !value;
    }

    /// <summary>Input scaling (<c>--normalize</c> selects the MNIST mean/std normalisation).</summary>
    public InputScaling Scaling { get; init; } = InputScaling.UnitRange;

    /// <summary>Whether <see cref="Scaling"/> is the MNIST mean/std normalisation (<c>--normalize</c>).</summary>
    [JsonIgnore]
    public bool Normalize
    {
        get => Scaling == InputScaling.MnistNormalized;
        init => Scaling = value ? InputScaling.MnistNormalized : InputScaling.UnitRange;
    }

    /// <summary>
    /// Shards per minibatch (<c>--shards</c>, default 8, a power of two). Part of the result's identity: the
    /// invariant holds for a fixed value.
    /// </summary>
    public int Shards { get; init; } = 8;
}
