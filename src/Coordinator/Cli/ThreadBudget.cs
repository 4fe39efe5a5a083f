namespace CnnDistributed.Coordinator.Cli;

/// <summary>How <c>--threads</c> (per worker) and <c>--workers</c> translate into compute threads on this machine.</summary>
public static class ThreadBudget
{
    /// <summary>The <c>--threads</c> default: all cores shared among the workers, at least one each.</summary>
    public static int DefaultPerWorker(int workers) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, workers));

    /// <summary>Threads of the in-process backend: every worker's threads, capped to the cores there are.</summary>
    public static int InProcess(int threadsPerWorker, int workers) =>
        (int)Math.Clamp((long)threadsPerWorker * workers, 1, Environment.ProcessorCount);
}
