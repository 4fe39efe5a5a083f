namespace CnnDistributed.Protocol;

/// <summary>Refusal reasons that the coordinator and its workers both recognise.</summary>
public static class WorkerRefusals
{
    /// <summary>The job ended: a worker rejoining after a lost connection then exits 0.</summary>
    public const string JobFinished = "the job has finished";
}
