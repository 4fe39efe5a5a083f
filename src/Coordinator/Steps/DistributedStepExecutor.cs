using System.Runtime.InteropServices;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// Computes each step on the connected workers: every worker gets one contiguous shard range sized by its measured
/// speed, returns one pre-summed gradient per tree node of that range, and the coordinator sums the nodes along the
/// same fixed tree as <see cref="LocalStepExecutor"/>, so the result is bit-identical for any worker count and any
/// assignment. A result that fails validation, or never comes, drops its worker; its shards are recomputed by the
/// others within the same step. When the same shard's result is refused for its values (NaN, infinity or a norm above
/// the bound) a second time in one step, the weights themselves have diverged (every worker would answer the same):
/// the job ends with <see cref="TrainingDivergedException"/> instead of dropping honest workers for ever.
/// </summary>
public sealed class DistributedStepExecutor(
    WorkerRegistry registry,
    IOptions<TrainingOptions> job,
    IOptions<CoordinatorOptions> options,
    TimeProvider timeProvider,
    ILogger<DistributedStepExecutor> logger) : IStepExecutor
{
    private readonly int _shardCount = job.Value.Shards;
    private readonly WeightsBroadcast _weights = new();
    private readonly ReceivedNodes _nodes = new(job.Value.Shards);
    private readonly GradientTreeSum _treeSum = new(job.Value.Shards);
    private readonly ShardStats[] _stats = new ShardStats[job.Value.Shards];
    private readonly bool[] _done = new bool[job.Value.Shards];
    private readonly bool[] _refusedForValues = new bool[job.Value.Shards];
    // Accepted results of the step in progress: their pooled gradient buffers are read by _nodes until the step's sum.
    private readonly List<ReceivedResult> _accepted = [];
    private IReadOnlyList<WorkerConnection>? _splitWorkers;
    private ShardRange?[] _split = [];
    private IReadOnlyList<WorkerConnection>? _lastWorkers;
    private ShardRange?[] _lastRanges = [];
    private string _lastLayout = "";
    private bool _disposed;

    public string DeviceKind => registry.DeviceKind ?? "unknown";

    public int Workers => registry.Connected.Count;

    /// <summary>The timings of the last completed step.</summary>
    public StepTimings LastStep { get; private set; } = StepTimings.Zero;

    /// <summary>
    /// The last time shards of a failed worker were sent to others: when the failure was detected and when they went
    /// out.
    /// </summary>
    public ShardReassignment? LastReassignment { get; private set; }

    /// <summary>The timings of all steps so far, added up.</summary>
    public StepTimings Total { get; private set; } = StepTimings.Zero;

    // The step path: one weights copy per step shared by every assignment, sample bytes wrapped rather than copied,
    // all assignments written before any result is awaited, and the step resumes on the thread that parsed the last
    // result (WorkerConnection). Gradients are checked and tree-summed straight from the pooled receive buffers, which
    // go back to the pool when the step ends.
    public async ValueTask<ShardStats> ComputeAsync(
        StepWork work,
        float[] parameters,
        float[] gradientSum,
        CancellationToken cancellationToken)
    {
        try
        {
            return await ComputeStepAsync(work, parameters, gradientSum, cancellationToken);
        }
        finally
        {
            foreach (var received in _accepted)
            {
                received.Release();
            }
            _accepted.Clear();
        }
    }

    // A step runs in rounds until every shard has an accepted result: the first round splits all shards among the
    // connected workers; each later round splits the shards of workers dropped in the round before among the others.
    private async ValueTask<ShardStats> ComputeStepAsync(
        StepWork work,
        float[] parameters,
        float[] gradientSum,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (work.Shards.Count != _shardCount)
        {
            throw new ArgumentException(
                $"step has {work.Shards.Count} shards, the job has {_shardCount}", nameof(work));
        }
        var step = new StepAccounting();
        var version = UpdateWeights(parameters, step);
        _nodes.Clear();
        Array.Clear(_done);
        Array.Clear(_refusedForValues);
        long? failedAt = null;
        for (var missing = MissingRanges(); missing.Count > 0; missing = MissingRanges())
        {
            var workers = await ConnectedWorkersAsync(work.Step, missing, cancellationToken);
            if (failedAt is { } since)
            {
                RecordReassignment(work.Step, missing, workers.Count, since);
            }
            var ranges = SplitAmong(workers, missing);
            LogLayoutIfChanged(work.Step, workers, ranges);
            var receiving = SendAssignments(work, workers, ranges, version, step, cancellationToken);
            var received = await AwaitResultsAsync(receiving, step);
            var failedThisRound = AcceptResults(work, workers, ranges, received, step);
            failedAt ??= failedThisRound;
        }
        return SumStep(gradientSum, step);
    }

    /// <summary>
    /// Serialises the step's weights once for every assignment that carries them; returns their version.
    /// </summary>
    private ulong UpdateWeights(float[] parameters, StepAccounting step)
    {
        var started = timeProvider.GetTimestamp();
        var version = _weights.Update(parameters);
        step.Serialization += timeProvider.GetElapsedTime(started);
        return version;
    }

    private void RecordReassignment(long step, IReadOnlyList<ShardRange> missing, int workers, long detectedAt)
    {
        LastReassignment = new ShardReassignment(step, detectedAt, timeProvider.GetTimestamp());
        logger.LogWarning(
            "Step {Step}: shards {Shards} reassigned to {Workers} workers "
            + "{Milliseconds:0} ms after the failure was detected",
            step,
            string.Join(" ", missing),
            workers,
            timeProvider.GetElapsedTime(detectedAt).TotalMilliseconds);
    }

    /// <summary>Writes every worker's assignment, arming its result deadline, before any result is awaited.</summary>
    private List<Task<Received>> SendAssignments(
        StepWork work,
        IReadOnlyList<WorkerConnection> workers,
        ShardRange?[] ranges,
        ulong version,
        StepAccounting step,
        CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var receiving = new List<Task<Received>>(workers.Count);
        for (var i = 0; i < workers.Count; i++)
        {
            if (ranges[i] is { } range)
            {
                var message = BuildAssignment(work, workers[i], range, version);
                step.BytesSent += message.CalculateSize();
                var deadline = ResultDeadline.For(options.Value, workers[i].SamplesPerSecond, SampleCount(work, range));
                var result = workers[i].AssignAsync(message, work.Step, cancellationToken);
                receiving.Add(ReceiveAsync(result, work.Step, deadline, cancellationToken));
            }
        }
        step.Serialization += timeProvider.GetElapsedTime(started);
        return receiving;
    }

    /// <summary>
    /// Waits for every result or its failure; the wait beyond the slowest worker's compute is network wait.
    /// </summary>
    private async Task<Received[]> AwaitResultsAsync(List<Task<Received>> receiving, StepAccounting step)
    {
        var started = timeProvider.GetTimestamp();
        var received = await Task.WhenAll(receiving);
        var waited = timeProvider.GetElapsedTime(started);
        var slowestCompute = TimeSpan.Zero;
        foreach (var (result, _, _) in received)
        {
            if (result?.Result is { } stepResult
                && TimeSpan.FromMicroseconds(stepResult.ComputeMicros) > slowestCompute)
            {
                slowestCompute = TimeSpan.FromMicroseconds(stepResult.ComputeMicros);
            }
        }
        step.Compute += slowestCompute;
        step.NetworkWait += waited > slowestCompute ? waited - slowestCompute : TimeSpan.Zero;
        return received;
    }

    /// <summary>
    /// Checks each worker's result and takes in the valid ones; a worker whose result is invalid or missing is dropped
    /// and its shards stay missing. Returns when the first failure of this round was detected, or null.
    /// </summary>
    private long? AcceptResults(
        StepWork work,
        IReadOnlyList<WorkerConnection> workers,
        ShardRange?[] ranges,
        Received[] received,
        StepAccounting step)
    {
        long? failedAt = null;
        for (int i = 0, r = 0; i < workers.Count; i++)
        {
            if (ranges[i] is not { } range)
            {
                continue;
            }
            var (receivedResult, failure, at) = received[r++];
            var result = receivedResult?.Result;
            if (result is not null)
            {
                step.BytesReceived += result.CalculateSize();
                (failure, var forValues) = Accept(result, work, range, step);
                if (forValues)
                {
                    RecordRefusedValues(work.Step, range, failure!);
                }
                if (failure is null)
                {
                    _accepted.Add(receivedResult!);
                }
                else
                {
                    receivedResult!.Release();
                }
            }
            if (failure is not null)
            {
                registry.Drop(workers[i], $"step {work.Step}, shards {range}: {failure}");
                failedAt ??= at;
                continue;
            }
            var samples = 0;
            for (var s = 0; s < range.Count; s++)
            {
                var outcome = result!.Shards[s];
                _stats[range.Start + s] = new ShardStats(outcome.LossSum, outcome.Correct, outcome.Samples);
                _done[range.Start + s] = true;
                samples += outcome.Samples;
            }
            workers[i].RecordSpeed(samples);
        }
        return failedAt;
    }

    /// <summary>
    /// Sums the accepted node gradients along the tree into <paramref name="gradientSum"/>; the step's statistics.
    /// </summary>
    private ShardStats SumStep(float[] gradientSum, StepAccounting step)
    {
        var started = timeProvider.GetTimestamp();
        _treeSum.SumInto(new TreeNode(0, _shardCount), _nodes, gradientSum);
        var total = default(ShardStats);
        foreach (var s in _stats)
        {
            total += s;
        }
        step.Aggregation += timeProvider.GetElapsedTime(started);
        LastStep = step.ToTimings();
        Total += LastStep;
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await registry.ShutdownAsync(WorkerRefusals.JobFinished, timeProvider);
        }
    }

    /// <summary>
    /// Notes that <paramref name="range"/>'s result was refused for its values; throws when one of its shards already
    /// was in this step.
    /// </summary>
    private void RecordRefusedValues(long step, ShardRange range, string refusal)
    {
        for (var s = range.Start; s < range.End; s++)
        {
            if (_refusedForValues[s])
            {
                throw new TrainingDivergedException(
                    $"step {step}: shard {s} was refused for its values on two workers in turn ({refusal}): the "
                    + "weights have diverged (a lower --lr may help)");
            }
            _refusedForValues[s] = true;
        }
    }

    /// <summary>Why the result is refused (or null), and whether for its values (NaN, infinity, norm).</summary>
    private (string? Refusal, bool ForValues) Accept(
        StepResult result, StepWork work, ShardRange range, StepAccounting step)
    {
        var checking = timeProvider.GetTimestamp();
        var refusal = StepResultValidator.CheckShape(result, work.Step, range, _shardCount, work.Shards);
        for (var n = 0; refusal is null && n < result.Nodes.Count; n++)
        {
            var node = new TreeNode(result.Nodes[n].Start, result.Nodes[n].Size);
            var gradient = MemoryMarshal.Cast<byte, float>(result.Nodes[n].GradientSum.Span);
            refusal = StepResultValidator.CheckValues(
                node, gradient, options.Value.MaxSampleGradientNorm * SampleCount(work, node));
        }
        if (refusal is null)
        {
            foreach (var node in result.Nodes)
            {
                _nodes.Add(new TreeNode(node.Start, node.Size), node.GradientSum);
            }
        }
        step.Aggregation += timeProvider.GetElapsedTime(checking);
        var forValues = refusal?.Kind is ResultRefusal.NonFiniteGradient or ResultRefusal.GradientNorm
            || (refusal?.Kind is ResultRefusal.ShardLoss && result.Shards.Any(s => !double.IsFinite(s.LossSum)));
        return (refusal?.Reason, forValues);
    }

    private CoordinatorMessage BuildAssignment(StepWork work, WorkerConnection worker, ShardRange range, ulong version)
    {
        var assignment = new StepAssignment
        {
            StepId = work.Step,
            WeightsVersion = version,
            ShardStart = range.Start,
            ShardEnd = range.End,
        };
        if (worker.WeightsVersion != version)
        {
            assignment.Weights = new Weights { Version = version, Data = _weights.Bytes };
            worker.WeightsVersion = version;
        }
        for (var s = range.Start; s < range.End; s++)
        {
            var shard = work.Shards[s];
            assignment.Shards.Add(new ShardData
            {
                Pixels = UnsafeByteOperations.UnsafeWrap(shard.Pixels),
                Labels = UnsafeByteOperations.UnsafeWrap(shard.Labels),
            });
        }
        return new CoordinatorMessage { Assignment = assignment };
    }

    /// <summary>
    /// The worker's result for <paramref name="step"/>, or why there is none: its deadline passed, or its stream
    /// closed.
    /// </summary>
    private async Task<Received> ReceiveAsync(
        Task<ReceivedResult> result,
        long step,
        TimeSpan deadline,
        CancellationToken cancellationToken)
    {
        try
        {
            return new Received(
                await result.WaitAsync(deadline, timeProvider, cancellationToken), null, timeProvider.GetTimestamp());
        }
        catch (TimeoutException)
        {
            return new Received(
                null,
                $"no result for step {step} within its deadline of {deadline.TotalSeconds:0.###} s",
                timeProvider.GetTimestamp());
        }
        catch (WorkerDroppedException e)
        {
            return new Received(null, e.Message, timeProvider.GetTimestamp());
        }
    }

    /// <summary>
    /// The connected workers; with none left, waits up to <see cref="CoordinatorOptions.WorkerWaitTimeout"/> for one to
    /// join.
    /// </summary>
    private async Task<IReadOnlyList<WorkerConnection>> ConnectedWorkersAsync(
        long step,
        IReadOnlyList<ShardRange> missing,
        CancellationToken cancellationToken)
    {
        registry.SealDeviceKind();
        var workers = registry.Connected;
        if (workers.Count > 0)
        {
            return workers;
        }
        var timeout = options.Value.WorkerWaitTimeout;
        logger.LogWarning(
            "Step {Step}: no workers left; waiting up to {Seconds:0.#} s for one to join", step, timeout.TotalSeconds);
        try
        {
            await registry.WaitForWorkersAsync(1, cancellationToken)
                .WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new DistributedStepException(
                $"step {step}: no workers joined within {timeout.TotalSeconds:0.#} s "
                + $"to compute shards {string.Join(" ", missing)}");
        }
        registry.SealDeviceKind();
        return registry.Connected;
    }

    /// <summary>
    /// A whole step among last step's workers keeps last step's split unless a new one is clearly faster
    /// (<see cref="ShardBalancer.Rebalance"/>); the first step, a changed membership and the shards of a failed worker
    /// are split afresh.
    /// </summary>
    private ShardRange?[] SplitAmong(IReadOnlyList<WorkerConnection> workers, IReadOnlyList<ShardRange> missing)
    {
        var speeds = new double[workers.Count];
        for (var i = 0; i < speeds.Length; i++)
        {
            speeds[i] = workers[i].SamplesPerSecond;
        }
        if (missing is not [{ Start: 0 } whole] || whole.End != _shardCount)
        {
            return ShardBalancer.Assign(missing, speeds, options.Value.MaxShareFactor);
        }
        var ranges = ReferenceEquals(workers, _splitWorkers)
            ? ShardBalancer.Rebalance(_split, _shardCount, speeds, options.Value.MaxShareFactor)
            : ShardBalancer.Assign(missing, speeds, options.Value.MaxShareFactor);
        (_splitWorkers, _split) = (workers, ranges);
        return ranges;
    }

    private static int SampleCount(StepWork work, TreeNode node) =>
        SampleCount(work, new ShardRange(node.Start, node.Start + node.Size));

    private static int SampleCount(StepWork work, ShardRange range)
    {
        var samples = 0;
        for (var s = range.Start; s < range.End; s++)
        {
            samples += work.Shards[s].Count;
        }
        return samples;
    }

    private void LogLayoutIfChanged(long step, IReadOnlyList<WorkerConnection> workers, ShardRange?[] ranges)
    {
        if (ReferenceEquals(workers, _lastWorkers) && ranges.AsSpan().SequenceEqual(_lastRanges))
        {
            return;
        }
        _lastWorkers = workers;
        _lastRanges = ranges;
        var round = new List<(WorkerConnection Worker, ShardRange Range)>(workers.Count);
        for (var i = 0; i < workers.Count; i++)
        {
            if (ranges[i] is { } range)
            {
                round.Add((workers[i], range));
            }
        }
        var layout = string.Join(", ", round.Select(a => $"{a.Worker} {a.Range.Count} shards {a.Range}"));
        if (layout == _lastLayout)
        {
            return;
        }
        _lastLayout = layout;
        logger.LogInformation("Step {Step}: {Layout}; measured speed {Speeds}", step, layout,
            string.Join(", ", round.Select(a => $"{a.Worker.Name} {a.Worker.SamplesPerSecond:0} samples/s")));
    }

    private List<ShardRange> MissingRanges()
    {
        var ranges = new List<ShardRange>();
        for (var s = 0; s < _done.Length; s++)
        {
            if (_done[s])
            {
                continue;
            }
            var start = s;
            while (s < _done.Length && !_done[s])
            {
                s++;
            }
            ranges.Add(new ShardRange(start, s));
        }
        return ranges;
    }

    private sealed record Received(ReceivedResult? Result, string? Failure, long At);

    private sealed class StepAccounting
    {
        public TimeSpan Compute;
        public TimeSpan Serialization;
        public TimeSpan NetworkWait;
        public TimeSpan Aggregation;
        public long BytesSent;
        public long BytesReceived;

        public StepTimings ToTimings() => new(
            Compute.TotalSeconds,
            Serialization.TotalSeconds,
            NetworkWait.TotalSeconds,
            Aggregation.TotalSeconds,
            BytesSent,
            BytesReceived);
    }
}
