using System.Numerics;
using CnnDistributed.Bench.Cluster;
using CnnDistributed.Bench.Floor;

namespace CnnDistributed.Bench;

/// <summary>The options every cluster bench verb takes, and which of them each verb needs to be valid.</summary>
public sealed record ClusterBenchOptions(int Workers, int Threads, IReadOnlyList<int> BatchSizes, TimeSpan Duration, int Shards, int Rounds)
{
    /// <summary>Why these options cannot run <paramref name="verb"/>, or null.</summary>
    public string? Check(string verb) => verb switch
    {
        _ when Workers < 1 => $"--workers must be at least 1 (got {Workers})",
        _ when Threads < 1 => $"--threads must be at least 1 (got {Threads})",
        _ when Duration <= TimeSpan.Zero => "--seconds must be greater than 0",
        _ when Shards < 1 || !BitOperations.IsPow2(Shards) => $"--shards must be a power of two (got {Shards})",
        _ when Rounds < 1 => $"--rounds must be at least 1 (got {Rounds})",
        "tcp-floor" when !RawTcpStepExecutor.TakesShape(Workers, Shards) =>
            $"--workers must be a power of two up to --shards ({Shards}) for tcp-floor (got {Workers})",
        "coordinator-tcp-floor" when !RawTcpStepExecutor.TakesShape(Workers, CoordinatorCapacityBench.ShardCountFor(Workers)) =>
            $"--workers must be a power of two for coordinator-tcp-floor (got {Workers})",
        _ => null,
    };
}
