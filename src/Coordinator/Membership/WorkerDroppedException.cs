namespace CnnDistributed.Coordinator.Membership;

/// <summary>Ends a worker's streams: the reason it left the job (dropped, lost, or the job finished).</summary>
public sealed class WorkerDroppedException(string reason) : Exception(reason);
