using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>Marks each checkpoint on the dashboard's <see cref="RunMonitor"/> as it is handed to the writer.</summary>
public sealed class MonitoredCheckpoints(RunMonitor monitor, CheckpointWriter writer) : ICheckpointSink
{
    public int Every => writer.Every;

    public async ValueTask SaveAsync(TrainingCheckpoint checkpoint)
    {
        await writer.SaveAsync(checkpoint);
        monitor.OnCheckpoint(checkpoint.Step, writer.Path);
    }

    public ValueTask FlushAsync() => writer.FlushAsync();
}
