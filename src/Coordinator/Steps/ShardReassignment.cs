namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// Shards of a failed worker sent to the surviving workers within step <paramref name="Step"/>:
/// <paramref name="DetectedAt"/> when the failure was seen, <paramref name="ReassignedAt"/> when the shards went out
/// (both <see cref="TimeProvider.GetTimestamp"/> values of the coordinator's time provider).
/// </summary>
public sealed record ShardReassignment(long Step, long DetectedAt, long ReassignedAt);
