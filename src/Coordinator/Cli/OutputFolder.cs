using CnnDistributed.Coordinator.Runs;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// The <c>--out</c> folder of <c>train</c> and <c>serve</c>: checked with the other inputs, before anything is
/// written; created (and an earlier run's files deleted, with <c>--overwrite</c>) only when the job starts.
/// </summary>
public static class OutputFolder
{
    /// <summary>
    /// Refuses a file, and a folder holding a run (<see cref="RunOutputs.Files"/>) unless <c>--resume</c> continues it
    /// or <c>--overwrite</c> replaces it.
    /// </summary>
    public static void Check(RunOptions run)
    {
        var output = run.Out!;
        if (File.Exists(output))
        {
            throw new UsageException($"--out {output}: exists and is not a directory");
        }
        if (run.Resume is null && !run.Overwrite && Directory.Exists(output) && RunOutputs.ExistIn(output))
        {
            throw new UsageException(
                $"--out {output}: already holds a run; continue it with --resume {output} "
                + "or replace it with --overwrite");
        }
    }

    /// <summary>Creates the folder; with <c>--overwrite</c>, deletes the files of the run it held.</summary>
    public static RunOutputs Prepare(RunOptions run)
    {
        var outputs = new RunOutputs(run.Out!);
        try
        {
            Directory.CreateDirectory(outputs.Directory);
            if (run.Overwrite)
            {
                outputs.DeleteEarlierRun();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out {outputs.Directory}: cannot prepare the folder ({e.Message})");
        }
        return outputs;
    }
}
