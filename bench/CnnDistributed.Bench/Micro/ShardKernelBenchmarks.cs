using BenchmarkDotNet.Attributes;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;
using CnnDistributed.Core.Training;
using CnnDistributed.Coordinator.Cli;

namespace CnnDistributed.Bench.Micro;

/// <summary>
/// One training step of the CPU engine on one thread, forward and backward over a minibatch of the bundled sample in 8
/// shards, then the SGD update: the compute hot path. Its anchor is libtorch on the same machine
/// (bench/TorchSharpAnchor); <c>CNND_CPU_KERNEL</c> picks the kernel tier.
/// </summary>
public class ShardKernelBenchmarks
{
    private const int Shards = 8;

    private IComputeBackend _backend = null!;
    private ShardSamples[] _shards = [];
    private readonly float[][] _gradients = [.. Enumerable.Range(0, Shards).Select(_ => new float[ModelShape.ParameterCount])];
    private readonly ShardStats[] _stats = new ShardStats[Shards];
    private readonly float[] _parameters = WeightInitializer.Create(1);
    private readonly SgdOptimizer _optimizer = new(0.9f, false, 0f, ModelShape.ParameterCount);

    /// <summary>Samples per step.</summary>
    [Params(64, 256)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var train = MnistDataset.Load(SampleDataLocator.Find()).Train;
        var plan = new ShardPlan(Shards);
        _shards = [.. Enumerable.Range(0, Shards).Select(s => plan.Range(BatchSize, s)).Select(r => train.All.Slice(r.Start, r.Count))];
        _backend = ComputeBackendFactory.CreateCpu(1, InputScaling.UnitRange);
    }

    [GlobalCleanup]
    public void Cleanup() => _backend.Dispose();

    [Benchmark]
    public void GradientsOfOneStep() => _backend.ComputeGradients(_parameters, _shards, _gradients, _stats);

    [Benchmark]
    public void SgdUpdate() => _optimizer.Step(_parameters, _gradients[0], 1e-6f);
}
