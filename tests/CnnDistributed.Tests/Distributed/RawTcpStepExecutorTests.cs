using System.Runtime.InteropServices;
using CnnDistributed.Bench.Floor;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Distributed;

/// <summary>
/// The transport floor of <c>bench --what tcp-floor</c> computes the real step: over its raw sockets the gradient sum and
/// the statistics are bit-identical to the in-process engine's, so its speed is a fair anchor for the gRPC step path.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RawTcpStepExecutorTests
{
    [Theory]
    [InlineData(1, 64)]
    [InlineData(2, 64)]
    [InlineData(4, 61)]
    public async Task GradientOverRawSocketsIsBitIdenticalToTheInProcessEngine(int workers, int batch)
    {
        var plan = new ShardPlan(8);
        var all = SampleShards.Train(100, batch);
        var shards = Enumerable.Range(0, plan.ShardCount).Select(s => plan.Range(batch, s)).Select(r => all.Slice(r.Start, r.Count)).ToArray();
        var parameters = WeightInitializer.Create(7);
        await using var local = new LocalStepExecutor(new CpuBackend(1, InputScaling.UnitRange), plan.ShardCount);
        await using var floor = new RawTcpStepExecutor(workers, 1, plan.ShardCount);

        for (var step = 0; step < 2; step++)
        {
            var work = new StepWork(step, 0, batch, shards);
            var expected = new float[ModelShape.ParameterCount];
            var actual = new float[ModelShape.ParameterCount];
            var expectedStats = await local.ComputeAsync(work, parameters, expected, CancellationToken.None);
            var actualStats = await floor.ComputeAsync(work, parameters, actual, CancellationToken.None);

            Assert.Equal(expectedStats, actualStats);
            Assert.Equal(MemoryMarshal.Cast<float, uint>(expected.AsSpan()).ToArray(), MemoryMarshal.Cast<float, uint>(actual.AsSpan()).ToArray());
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] -= 0.01f * expected[i];
            }
        }
    }

    [Fact]
    public async Task SimulatedWorkersAnswerAtOnceWithZeroGradientsAndEveryShardsSampleCount()
    {
        var plan = new ShardPlan(32);
        var all = SampleShards.Train(0, 70);
        var shards = Enumerable.Range(0, plan.ShardCount).Select(s => plan.Range(70, s)).Select(r => all.Slice(r.Start, r.Count)).ToArray();
        await using var floor = new RawTcpStepExecutor(32, 1, plan.ShardCount, simulated: true);
        var gradient = new float[ModelShape.ParameterCount];
        gradient.AsSpan().Fill(1f);

        var stats = await floor.ComputeAsync(new StepWork(0, 0, 70, shards), WeightInitializer.Create(1), gradient, CancellationToken.None);

        Assert.Equal(new ShardStats(0, 0, 70), stats);
        Assert.All(gradient, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void AWorkerCountThatIsNotAPowerOfTwoIsRefused()
    {
        var refusal = Assert.Throws<ArgumentOutOfRangeException>(() => new RawTcpStepExecutor(3, 1, 8));

        Assert.Contains("power of two", refusal.Message);
    }
}
