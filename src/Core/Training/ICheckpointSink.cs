using CnnDistributed.Core.Checkpoints;

namespace CnnDistributed.Core.Training;

/// <summary>
/// Where a <see cref="TrainingLoop"/> saves its state: every <see cref="Every"/> steps, at the end, and when stopped.
/// </summary>
public interface ICheckpointSink
{
    /// <summary>Steps between checkpoints; 0 saves only at the end of the job and when it is stopped.</summary>
    int Every { get; }

    /// <summary>
    /// Takes the checkpoint (the loop hands over arrays it no longer touches); may finish writing later.
    /// </summary>
    ValueTask SaveAsync(TrainingCheckpoint checkpoint);

    /// <summary>Completes when every checkpoint handed over so far is on disk; rethrows a failed write.</summary>
    ValueTask FlushAsync();
}
