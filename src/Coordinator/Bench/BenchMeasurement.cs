namespace CnnDistributed.Coordinator.Bench;

/// <summary>One <c>bench</c> JSON line (CONTRACT §4).</summary>
public sealed record BenchMeasurement(
    string What,
    string Device,
    int Threads,
    int Workers,
    int BatchSize,
    double SamplesPerSecond,
    long Steps,
    double Seconds);
