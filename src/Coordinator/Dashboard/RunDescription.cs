namespace CnnDistributed.Coordinator.Dashboard;

/// <summary>What the dashboard says about a run before its first step: who it is and how long it will be.</summary>
public sealed record RunDescription(
    string RunId,
    IReadOnlyDictionary<string, object?> Config,
    ulong Seed,
    int Epochs,
    int BatchSize,
    int Shards);
