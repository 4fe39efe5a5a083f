using System.Globalization;
using CnnDistributed.Coordinator.Benchmarks;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>The options of <c>bench</c> with defaults resolved, and their checks.</summary>
public sealed record BenchCommandOptions
{
    public required IReadOnlyList<string> BatchSizeTexts { get; init; }
    public required int Threads { get; init; }
    public required int Workers { get; init; }
    public required double Seconds { get; init; }
    public required string Device { get; init; }
    public required int Shards { get; init; }

    /// <summary><c>scaling</c>: how many interleaved rounds of in-process, distributed and floor measurements.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>
    /// <c>train</c>: training throughput; <c>coordinator</c>: coordinator capacity with simulated workers; <c>failover</c>:
    /// time from a worker's death to its shards running elsewhere; <c>checkpoint</c>: samples/s with a checkpoint every 100 steps against none;
    /// <c>tcp-floor</c> and <c>coordinator-tcp-floor</c>: training and coordinator capacity over raw blocking loopback sockets
    /// instead of gRPC, the floors of any TCP step path; <c>scaling</c>: rounds of in-process, distributed and floor training
    /// back to back, each distributed figure as a percentage of its round's in-process one.
    /// </summary>
    public required string What { get; init; }

    public static IReadOnlyList<string> Measurements { get; } = ["train", "coordinator", "failover", "checkpoint", "tcp-floor", "coordinator-tcp-floor", "scaling"];

    /// <summary>Every <c>--batch-size</c> value, each occurrence possibly a comma list (<c>16,64,256</c>).</summary>
    public IReadOnlyList<int> BatchSizes() =>
        BatchSizeTexts.SelectMany(text => text.Split(',', StringSplitOptions.TrimEntries)).Select(ParseBatchSize).ToList();

    public string? Validate()
    {
        var firstBadBatch = BatchSizes().Select(b => OptionChecks.Between("--batch-size", b, 1, TrainCommandOptions.MaxBatchSize)).FirstOrDefault(e => e is not null);
        return OptionChecks.First(
            firstBadBatch,
            OptionChecks.AtLeast("--threads", Threads, 1),
            OptionChecks.AtLeast("--workers", Workers, What is "coordinator" or "tcp-floor" or "coordinator-tcp-floor" or "scaling" ? 1 : 0),
            OptionChecks.AtLeast("--rounds", Rounds, 1),
            What == "tcp-floor" && Workers >= 1 && !RawTcpStepExecutor.TakesShape(Workers, Shards)
                ? $"--workers must be a power of two up to --shards ({Shards}) for --what tcp-floor (got {Workers})"
                : null,
            What == "tcp-floor" && Device is not (DeviceChoice.Auto or "cpu")
                ? $"--device {Device}: --what tcp-floor runs the CPU kernels only"
                : null,
            What == "coordinator-tcp-floor" && !RawTcpStepExecutor.TakesShape(Workers, CoordinatorCapacityBench.ShardCountFor(Workers))
                ? $"--workers must be a power of two for --what coordinator-tcp-floor (got {Workers})"
                : null,
            OptionChecks.OneOf("--what", What, Measurements.ToArray()),
            OptionChecks.Positive("--seconds", Seconds),
            OptionChecks.OneOf("--device", Device, DeviceChoice.Names.ToArray()),
            OptionChecks.PowerOfTwo("--shards", Shards));
    }

    private static int ParseBatchSize(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--batch-size must be whole numbers, one or a comma list (got '{text}')");
}
