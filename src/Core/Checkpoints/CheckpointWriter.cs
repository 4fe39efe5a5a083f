using CnnDistributed.Core.Training;

namespace CnnDistributed.Core.Checkpoints;

/// <summary>
/// Writes <see cref="CheckpointFile"/>s to <c>DIR/checkpoint.bin</c> off the training thread: one write at a time, the
/// next save waiting for the previous write, so training only stalls when checkpoints come faster than the disk.
/// Each write is atomic, so a crash at any moment leaves the previous complete checkpoint.
/// </summary>
public sealed class CheckpointWriter(string directory, int every) : ICheckpointSink
{
    private Task _writing = Task.CompletedTask;

    /// <inheritdoc/>
    public int Every { get; } = every >= 0
        ? every
        : throw new ArgumentOutOfRangeException(nameof(every), every, "must be at least 0");

    /// <summary>The file each checkpoint replaces: <c>checkpoint.bin</c> in the folder given at construction.</summary>
    public string Path { get; } = System.IO.Path.Combine(directory, CheckpointFile.FileName);

    /// <summary>
    /// Waits for the previous write to finish (rethrowing its failure), then starts writing
    /// <paramref name="checkpoint"/> in the background and returns.
    /// </summary>
    public async ValueTask SaveAsync(TrainingCheckpoint checkpoint)
    {
        await _writing;
        _writing = Task.Run(() => CheckpointFile.Write(Path, checkpoint));
    }

    /// <inheritdoc/>
    public async ValueTask FlushAsync() => await _writing;
}
