namespace CnnDistributed.Core.Training;

/// <summary>
/// A step whose summed gradient or updated weights are not finite: the step is not applied (the weights and the
/// momentum stay those before it) and the job ends with this message instead of training on NaN.
/// </summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
