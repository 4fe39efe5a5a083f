namespace CnnDistributed.Coordinator.Cli;

/// <summary>The default of <c>--threads</c> (per worker) for a number of workers on this machine.</summary>
public static class ThreadBudget
{
    /// <summary>The <c>--threads</c> default: all cores shared among the workers, at least one each.</summary>
    public static int DefaultPerWorker(int workers) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, workers));
}
