using BenchmarkDotNet.Attributes;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Bench.Micro;

/// <summary>
/// The coordinator's tree sum of one step: the shard gradients of a step added along the fixed tree. Its anchor is
/// memory bandwidth: every leaf is read once and the sum written once.
/// </summary>
[MemoryDiagnoser]
public class TreeSumBenchmarks
{
    private float[][] _leaves = [];
    private ShardGradients _inputs = null!;
    private GradientTreeSum _treeSum = null!;
    private readonly float[] _sum = new float[ModelShape.ParameterCount];

    /// <summary>Shards per step.</summary>
    [Params(8, 32)]
    public int Shards { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _leaves = [.. Enumerable.Range(0, Shards).Select(_ =>
            Enumerable.Range(0, ModelShape.ParameterCount).Select(_ => random.NextSingle() - 0.5f).ToArray())];
        _inputs = new ShardGradients(_leaves);
        _treeSum = new GradientTreeSum(Shards);
    }

    [Benchmark]
    public float SumAlongTheTree()
    {
        _treeSum.SumInto(new TreeNode(0, Shards), _inputs, _sum);
        return _sum[0];
    }
}
