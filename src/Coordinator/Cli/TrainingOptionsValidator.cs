using CnnDistributed.Core.Training;
using CnnDistributed.Hosting;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>Checks the result-deciding options of <c>train</c> and <c>serve</c>; the error names the flag.</summary>
public sealed class TrainingOptionsValidator : IValidateOptions<TrainingOptions>
{
    /// <summary>The largest <c>--batch-size</c>.</summary>
    public const int MaxBatchSize = 65536;

    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        var error = OptionChecks.First(
            OptionChecks.AtLeast("--epochs", options.Epochs, 1),
            OptionChecks.Between("--batch-size", options.BatchSize, 1, MaxBatchSize),
            OptionChecks.Positive("--lr", options.LearningRate),
            OptionChecks.Fraction("--momentum", options.Momentum),
            options.Nesterov && options.Momentum == 0 ? "--nesterov needs a --momentum greater than 0" : null,
            OptionChecks.NonNegative("--weight-decay", options.WeightDecay),
            OptionChecks.AtLeast("--lr-step-epochs", options.LearningRateStepEpochs, 1),
            OptionChecks.Positive("--lr-gamma", options.LearningRateDecay),
            OptionChecks.AtLeast("--warmup-steps", options.WarmupSteps, 0),
            options.MaxSteps is { } maxSteps ? OptionChecks.AtLeast("--max-steps", maxSteps, 1) : null,
            OptionChecks.PowerOfTwo("--shards", options.Shards));
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }
}
