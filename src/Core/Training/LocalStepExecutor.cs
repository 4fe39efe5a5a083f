using CnnDistributed.Core.Engine;

namespace CnnDistributed.Core.Training;

/// <summary>
/// Runs every shard of a step on one in-process backend and sums them along the tree (on the device where the backend
/// can: <see cref="NodeGradientSums"/>).
/// </summary>
public sealed class LocalStepExecutor : IStepExecutor
{
    private readonly IComputeBackend _backend;
    private readonly NodeGradientSums _sums;
    private readonly TreeNode[] _root;
    private readonly ShardStats[] _stats;

    /// <summary>
    /// An executor for steps of <paramref name="shardCount"/> shards (a power of two) on <paramref name="backend"/>,
    /// which it uses but does not own.
    /// </summary>
    public LocalStepExecutor(IComputeBackend backend, int shardCount)
    {
        GradientTree.RequirePowerOfTwo(shardCount);
        _backend = backend;
        _sums = new NodeGradientSums(backend, shardCount);
        _root = [new TreeNode(0, shardCount)];
        _stats = new ShardStats[shardCount];
    }

    /// <inheritdoc/>
    public string DeviceKind => _backend.DeviceKind;

    /// <inheritdoc/>
    public int Workers => 1;

    /// <summary>
    /// Runs the step on the backend and sums the shard gradients along the tree, completing synchronously; throws
    /// <see cref="ArgumentException"/> when the step's shard count is not the one this executor was built for.
    /// </summary>
    public ValueTask<ShardStats> ComputeAsync(
        StepWork work,
        float[] parameters,
        float[] gradientSum,
        CancellationToken cancellationToken)
    {
        if (work.Shards.Count != _stats.Length)
        {
            throw new ArgumentException(
                $"step has {work.Shards.Count} shards, executor was built for {_stats.Length}",
                nameof(work));
        }
        _sums.Compute(parameters, work.Shards, 0, _root, _ => gradientSum, _stats);
        var total = default(ShardStats);
        foreach (var s in _stats)
        {
            total += s;
        }
        return ValueTask.FromResult(total);
    }

    /// <summary>Nothing to release: the backend belongs to the caller.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
