namespace CnnDistributed.Coordinator.Membership;

/// <summary>
/// Who joined and who left between successive snapshots of <see cref="WorkerRegistry.Connected"/>, for observers that
/// look now and then (the dashboard's monitor, the step trace). The registry rebuilds the snapshot on every change, so
/// an unchanged membership costs one reference comparison.
/// </summary>
/// <param name="baseline">The membership to compare the first snapshot with (none: everyone in it joined).</param>
public sealed class MembershipChanges(IReadOnlyList<WorkerConnection>? baseline = null)
{
    private IReadOnlyList<WorkerConnection> _last = baseline ?? [];

    /// <summary>
    /// Takes <paramref name="connected"/> as the membership now; false when it is the one seen last, otherwise the
    /// workers that joined and left since, each in join order.
    /// </summary>
    public bool Update(
        IReadOnlyList<WorkerConnection> connected,
        out IReadOnlyList<WorkerConnection> joined,
        out IReadOnlyList<WorkerConnection> left)
    {
        if (ReferenceEquals(connected, _last))
        {
            joined = left = [];
            return false;
        }
        var before = _last.Select(w => w.Id).ToHashSet();
        var now = connected.Select(w => w.Id).ToHashSet();
        joined = connected.Where(w => !before.Contains(w.Id)).ToList();
        left = _last.Where(w => !now.Contains(w.Id)).ToList();
        _last = connected;
        return true;
    }

    /// <summary>Why <paramref name="worker"/> left, as the registry recorded it.</summary>
    public static string WhyLeft(WorkerConnection worker) => worker.CloseReason ?? "its stream closed";
}
