using System.Runtime.InteropServices;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Engine;

/// <summary>CONTRACT §5 at the engine level: a step's summed gradient does not depend on threads or on who computes which shard.</summary>
[Trait("Category", "Unit")]
public sealed class ThreadCountDeterminismTests
{
    [Theory]
    [InlineData(CpuKernelTier.Best, 64, 8)]
    [InlineData(CpuKernelTier.Best, 60, 8)]
    [InlineData(CpuKernelTier.Best, 256, 16)]
    [InlineData(CpuKernelTier.Best, 5, 8)]
    [InlineData(CpuKernelTier.Avx2, 64, 8)]
    [InlineData(CpuKernelTier.Avx2, 60, 8)]
    [InlineData(CpuKernelTier.Avx2, 256, 16)]
    [InlineData(CpuKernelTier.Avx2, 5, 8)]
    public async Task StepGradientIsBitIdenticalForOneTwoAndFourThreads(CpuKernelTier tier, int batch, int shards)
    {
        var work = Step(batch, shards);
        var w = WeightInitializer.Create(2);
        var results = new List<byte[]>();
        foreach (var threads in new[] { 1, 2, 4 })
        {
            using var backend = new CpuBackend(threads, InputScaling.UnitRange, tier);
            await using var executor = new LocalStepExecutor(backend, shards);
            var sum = new float[ModelShape.ParameterCount];
            await executor.ComputeAsync(work, w, sum, CancellationToken.None);
            results.Add(MemoryMarshal.AsBytes(sum.AsSpan()).ToArray());
        }
        Assert.Equal(results[0], results[1]);
        Assert.Equal(results[0], results[2]);
    }

    [Theory]
    [InlineData(CpuKernelTier.Best)]
    [InlineData(CpuKernelTier.Avx2)]
    public void PreSummedBlocksGiveTheSameTotalAsSingleShards(CpuKernelTier tier)
    {
        var work = Step(64, 8);
        var w = WeightInitializer.Create(4);
        using var backend = new CpuBackend(2, InputScaling.UnitRange, tier);
        var leaves = Enumerable.Range(0, 8).Select(_ => new float[ModelShape.ParameterCount]).ToArray();
        backend.ComputeGradients(w, work.Shards, leaves, new ShardStats[8]);
        var expected = ReferenceTreeSum.Of(leaves);

        // A "worker" holding shards [1, 7) pre-sums its maximal aligned blocks; the others send single shards.
        var blocks = GradientTree.Cover(8, 1, 7).ToDictionary(node => node, node =>
        {
            var block = new float[ModelShape.ParameterCount];
            new GradientTreeSum(8).SumInto(node, new ShardGradients(leaves), block);
            return block;
        });
        blocks[new TreeNode(0, 1)] = leaves[0];
        blocks[new TreeNode(7, 1)] = leaves[7];
        var total = new float[ModelShape.ParameterCount];
        new GradientTreeSum(8).SumInto(new TreeNode(0, 8), new KnownNodes(blocks), total);
        Assert.Equal(MemoryMarshal.AsBytes(expected.AsSpan()).ToArray(), MemoryMarshal.AsBytes(total.AsSpan()).ToArray());
    }

    private static StepWork Step(int batch, int shards)
    {
        var all = SampleShards.Train(1000, batch);
        var plan = new ShardPlan(shards);
        var list = Enumerable.Range(0, shards).Select(i =>
        {
            var (start, count) = plan.Range(batch, i);
            return all.Slice(start, count);
        }).ToList();
        return new StepWork(0, 0, batch, list);
    }

    private sealed class KnownNodes(Dictionary<TreeNode, float[]> nodes) : ITreeNodeGradients
    {
        public bool TryGet(TreeNode node, out ReadOnlySpan<float> gradient)
        {
            var known = nodes.TryGetValue(node, out var found);
            gradient = found;
            return known;
        }
    }
}
