using System.Numerics.Tensors;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A few SGD steps on deterministic synthetic digits, driven through any <see cref="IStepExecutor"/>; the result is
/// the <c>weights_sha256</c> of the final weights, so two executors agree exactly when their gradients do bit for bit.
/// </summary>
public static class ShortTrainingRun
{
    public const int ShardCount = 8;

    /// <summary><paramref name="count"/> steps of <paramref name="batch"/> samples; the last step is short (37 samples) to exercise uneven shards.</summary>
    public static IReadOnlyList<StepWork> Steps(int count, int batch = 64, ulong seed = 11)
    {
        var random = new SeededRandom(seed);
        var plan = new ShardPlan(ShardCount);
        var steps = new List<StepWork>();
        for (var step = 0; step < count; step++)
        {
            var samples = step == count - 1 ? 37 : batch;
            var pixels = new byte[samples * ModelShape.Pixels];
            var labels = new byte[samples];
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (byte)(random.NextInt(4) == 0 ? random.NextInt(256) : 0);
            }
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = (byte)random.NextInt(10);
            }
            var all = ShardSamples.Create(pixels, labels);
            var shards = Enumerable.Range(0, ShardCount).Select(s => plan.Range(samples, s)).Select(r => all.Slice(r.Start, r.Count)).ToList();
            steps.Add(new StepWork(step, 0, samples, shards));
        }
        return steps;
    }

    public static Task<string> RunAsync(IStepExecutor executor, IReadOnlyList<StepWork> steps, Action<long>? afterStep = null) =>
        RunAsync(executor, steps, step =>
        {
            afterStep?.Invoke(step);
            return Task.CompletedTask;
        });

    /// <summary>As above, awaiting <paramref name="afterStep"/> (e.g. a membership change) between steps.</summary>
    public static async Task<string> RunAsync(IStepExecutor executor, IReadOnlyList<StepWork> steps, Func<long, Task> afterStep)
    {
        var parameters = WeightInitializer.Create(5);
        var optimizer = new SgdOptimizer(0.9f, false, 0f, ModelShape.ParameterCount);
        var sum = new float[ModelShape.ParameterCount];
        foreach (var work in steps)
        {
            await executor.ComputeAsync(work, parameters, sum, CancellationToken.None);
            TensorPrimitives.Multiply(sum, 1f / work.BatchCount, sum);
            optimizer.Step(parameters, sum, 0.1f);
            await afterStep(work.Step);
        }
        return WeightsDigest.Sha256Hex(parameters);
    }

    /// <summary>The reference: the same steps on the in-process <see cref="LocalStepExecutor"/>.</summary>
    public static async Task<string> LocalAsync(IReadOnlyList<StepWork> steps)
    {
        using var backend = new CpuBackend(2, InputScaling.UnitRange);
        await using var executor = new LocalStepExecutor(backend, ShardCount);
        return await RunAsync(executor, steps);
    }
}
