using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Bench.Micro;

/// <summary>
/// What the coordinator's value checks cost for one node gradient (NaN, infinity and the norm bound in one vectorised
/// pass), against the anchor every result pays anyway: summing that node into the step's gradient.
/// </summary>
public class ResultCheckBenchmarks
{
    private readonly float[] _gradient = new float[ModelShape.ParameterCount];
    private readonly float[] _sum = new float[ModelShape.ParameterCount];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        for (var i = 0; i < _gradient.Length; i++)
        {
            _gradient[i] = (random.Next(2001) - 1000) * 1e-4f;
        }
    }

    [Benchmark(Baseline = true)]
    public void AddNodeIntoTheStepSum() => TensorPrimitives.Add(_sum, _gradient, _sum);

    [Benchmark]
    public StepResultRefusal? CheckValues() =>
        StepResultValidator.CheckValues(new TreeNode(0, 4), _gradient, 32 * 10_000.0, out _);
}
