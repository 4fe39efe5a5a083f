namespace CnnDistributed.Coordinator.Membership;

public enum WorkerState
{
    /// <summary>Admitted, work stream not yet open.</summary>
    Registered,

    /// <summary>Work stream open: takes part in steps.</summary>
    Connected,

    /// <summary>Left the job: dropped, disconnected, or shut down.</summary>
    Closed,
}
