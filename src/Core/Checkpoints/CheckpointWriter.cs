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

    public int Every { get; } = every >= 0 ? every : throw new ArgumentOutOfRangeException(nameof(every), every, "must be at least 0");

    public string Path { get; } = System.IO.Path.Combine(directory, CheckpointFile.FileName);

    public async ValueTask SaveAsync(TrainingCheckpoint checkpoint)
    {
        await _writing;
        _writing = Task.Run(() => CheckpointFile.Write(Path, checkpoint));
    }

    public async ValueTask FlushAsync() => await _writing;
}
