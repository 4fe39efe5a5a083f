using CnnDistributed.Bench.Cluster;
using CnnDistributed.Core.Model;
using CnnDistributed.Protocol;

namespace CnnDistributed.Tests.Distributed;

[Trait("Category", "Integration")]
public sealed class CoordinatorCapacityBenchTests
{
    [Fact]
    public async Task SimulatedWorkersDriveStepsAndWireBytesAreReportedAgainstTheMinimum()
    {
        var record = await CoordinatorCapacityBench.RunAsync(8, 64, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));

        Assert.Equal("coordinator", record.What);
        Assert.Equal(8, record.Workers);
        Assert.True(record.Steps > 0);
        Assert.Equal(8 * 2.0 * ModelShape.ParameterCount * sizeof(float), record.MinimumBytesPerStep);
        // The split follows the round trips the coordinator measures, and simulated workers that compute nothing have
        // round trips of pure scheduling noise: on a loaded machine a worker may get no shard in a step (it then moves
        // no bytes, below the minimum) or a range that is not one aligned node (one gradient more).
        var gradient = ModelShape.ParameterCount * sizeof(float);
        Assert.InRange(record.BytesPerStepWithoutSamples!.Value, record.MinimumBytesPerStep!.Value / 2, (record.MinimumBytesPerStep.Value * 1.05) + gradient);
        Assert.Contains("\"steps_per_second\":", record.ToJsonLine());
    }

    [Fact]
    public async Task CapacityRunsWithAssignmentsLargerThanOneHttp2Frame()
    {
        // Two workers at batch 512: each assignment carries 256 samples (200,704 pixel bytes) besides the 138,488-byte
        // weight set, more than one 256 KiB frame, so every message reaches the worker's HTTP/2 client in pieces.
        var record = await CoordinatorCapacityBench.RunAsync(2, 512, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));

        Assert.True(record.Steps > 0);
        var samplesPerWorker = (record.BytesPerStep!.Value - record.BytesPerStepWithoutSamples!.Value) / 2;
        Assert.True(samplesPerWorker + ModelShape.ParameterCount * sizeof(float) > Http2Windows.MaxFrameBytes);
    }

    [Fact]
    public async Task FloorOverRawSocketsDrivesStepsWithTheSameWorkerCount()
    {
        var record = await CoordinatorCapacityBench.RunFloorAsync(8, 64, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));

        Assert.Equal("coordinator-tcp-floor", record.What);
        Assert.Equal(8, record.Workers);
        Assert.True(record.Steps > 0);
        Assert.Equal(8 * 2.0 * ModelShape.ParameterCount * sizeof(float), record.MinimumBytesPerStep);
    }
}
