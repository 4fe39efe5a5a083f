using System.Text.Json;
using System.Text.Json.Nodes;
using CnnDistributed.Coordinator.Runs;

namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>
/// The run's events in order, the newest <see cref="Capacity"/> of them kept: what <c>/api/events</c> streams and
/// replays after a reconnect. Appending never blocks on a reader; readers wait for the next id.
/// </summary>
public sealed class RunEventLog(TimeProvider timeProvider)
{
    /// <summary>Events kept for replay; older ones are dropped first.</summary>
    public const int Capacity = 4096;

    private readonly Lock _gate = new();
    private readonly Queue<RunEvent> _events = new();
    private readonly long _started = timeProvider.GetTimestamp();
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastId;

    /// <summary>Seconds since the log was made: the run's clock.</summary>
    public double ElapsedSeconds => timeProvider.GetElapsedTime(_started).TotalSeconds;

    /// <summary>The id of the newest event (0: none yet).</summary>
    public long LastId
    {
        get
        {
            lock (_gate)
            {
                return _lastId;
            }
        }
    }

    /// <summary>Appends an event of <paramref name="type"/> whose data is <paramref name="data"/> as JSON.</summary>
    public RunEvent Append<T>(string type, T data, double? elapsedSeconds = null)
    {
        var node = JsonSerializer.SerializeToNode(data, JsonFormats.Line) ?? new JsonObject();
        TaskCompletionSource appended;
        RunEvent added;
        lock (_gate)
        {
            added = new RunEvent(++_lastId, type, elapsedSeconds ?? ElapsedSeconds, node);
            _events.Enqueue(added);
            if (_events.Count > Capacity)
            {
                _events.Dequeue();
            }
            appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        appended.SetResult();
        return added;
    }

    /// <summary>The kept events with ids above <paramref name="lastSeenId"/>, oldest first.</summary>
    public IReadOnlyList<RunEvent> After(long lastSeenId)
    {
        lock (_gate)
        {
            return _events.Where(e => e.Id > lastSeenId).ToList();
        }
    }

    /// <summary>Completes when an event with an id above <paramref name="lastSeenId"/> exists.</summary>
    public Task WaitAfterAsync(long lastSeenId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _lastId > lastSeenId ? Task.CompletedTask : _appended.Task.WaitAsync(cancellationToken);
        }
    }
}
