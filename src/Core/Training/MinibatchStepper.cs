using System.Numerics.Tensors;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Optimization;

namespace CnnDistributed.Core.Training;

/// <summary>
/// One optimizer step on a minibatch: gathers the samples into reusable buffers, cuts them into the fixed shards,
/// has the executor compute the tree-summed gradient, divides it by the batch size and applies SGD. A step whose
/// gradient or updated weights are not finite is rolled back and ends the job
/// (<see cref="TrainingDivergedException"/>): every result was finite when it was checked, but a sum of finite
/// values, or a learning rate, can still overflow.
/// </summary>
internal sealed class MinibatchStepper
{
    private readonly MnistSplit _train;
    private readonly IStepExecutor _executor;
    private readonly SgdOptimizer _optimizer;
    private readonly ShardPlan _plan;
    private readonly byte[] _pixels;
    private readonly byte[] _labels;
    private readonly float[] _gradient = new float[ModelShape.ParameterCount];
    private readonly float[] _parametersBefore = new float[ModelShape.ParameterCount];
    private readonly float[] _velocityBefore = new float[ModelShape.ParameterCount];

    public MinibatchStepper(
        MnistSplit train,
        IStepExecutor executor,
        SgdOptimizer optimizer,
        int shardCount,
        int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _train = train;
        _executor = executor;
        _optimizer = optimizer;
        _plan = new ShardPlan(shardCount);
        _pixels = new byte[maxBatch * ModelShape.Pixels];
        _labels = new byte[maxBatch];
    }

    /// <summary>
    /// Takes one step on the training samples at <paramref name="indices"/>; returns what the forward pass saw.
    /// </summary>
    public async ValueTask<ShardStats> StepAsync(
        ReadOnlyMemory<int> indices,
        long step,
        int epoch,
        float learningRate,
        float[] parameters,
        CancellationToken cancellationToken)
    {
        var count = indices.Length;
        if (count < 1 || count > _labels.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(indices), $"a minibatch holds 1 to {_labels.Length} samples, got {count}");
        }
        _train.Gather(indices.Span, _pixels, _labels);
        var batch = ShardSamples.Create(_pixels.AsMemory(0, count * ModelShape.Pixels), _labels.AsMemory(0, count));
        var shards = new ShardSamples[_plan.ShardCount];
        for (var s = 0; s < shards.Length; s++)
        {
            var (start, length) = _plan.Range(count, s);
            shards[s] = batch.Slice(start, length);
        }
        var stats = await _executor.ComputeAsync(
            new StepWork(step, epoch, count, shards), parameters, _gradient, cancellationToken);
        TensorPrimitives.Multiply(_gradient, 1f / count, _gradient);
        if (!TensorPrimitives.IsFiniteAll<float>(_gradient))
        {
            throw new TrainingDivergedException(
                $"step {step}: the summed gradient holds NaN or infinity; the weights stay those before the step");
        }
        parameters.CopyTo(_parametersBefore, 0);
        _optimizer.Velocity.CopyTo(_velocityBefore, 0);
        _optimizer.Step(parameters, _gradient, learningRate);
        if (!TensorPrimitives.IsFiniteAll<float>(parameters)
            || !TensorPrimitives.IsFiniteAll<float>(_optimizer.Velocity))
        {
            _parametersBefore.CopyTo(parameters, 0);
            _velocityBefore.CopyTo(_optimizer.Velocity, 0);
            throw new TrainingDivergedException(
                $"step {step}: the update at learning rate {learningRate} made the weights overflow; "
                + "they were rolled back to those before the step (a lower --lr may help)");
        }
        return stats;
    }
}
