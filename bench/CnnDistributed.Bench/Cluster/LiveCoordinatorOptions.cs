using CnnDistributed.Coordinator.Hosting;

namespace CnnDistributed.Bench.Cluster;

/// <summary>
/// The options instances a running coordinator reads on every result, kept so that a benchmark can flip a switch
/// between measurements on the same cluster. The options system may build more than one instance (one per way of
/// asking for them), so every instance it configures is kept and changed together.
/// </summary>
public sealed class LiveCoordinatorOptions(Action<CoordinatorOptions> initial)
{
    private readonly List<CoordinatorOptions> _instances = [];

    /// <summary>The callback to hand to the coordinator's start: applies the initial settings and keeps the instance.</summary>
    public void Configure(CoordinatorOptions options)
    {
        initial(options);
        lock (_instances)
        {
            _instances.Add(options);
        }
    }

    /// <summary>Changes every instance; the coordinator sees the change from its next result.</summary>
    public void Set(Action<CoordinatorOptions> change)
    {
        lock (_instances)
        {
            if (_instances.Count == 0)
            {
                throw new InvalidOperationException("the coordinator has not read its options yet");
            }
            _instances.ForEach(change);
        }
    }
}
