namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// A job that could not run or finish for a reason outside the user's input (exit 1 with one clear line).
/// </summary>
public sealed class JobFailedException(string message, Exception? inner = null) : Exception(message, inner);
