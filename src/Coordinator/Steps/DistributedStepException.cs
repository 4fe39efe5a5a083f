namespace CnnDistributed.Coordinator.Steps;

/// <summary>A step that could not be completed: every worker that could compute its shards is gone.</summary>
public sealed class DistributedStepException(string message) : Exception(message);
