using System.Runtime.InteropServices;
using System.Threading.Channels;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Cluster;

/// <summary>
/// Computes each step on the connected workers: every worker gets one contiguous shard range sized by its measured
/// speed, returns one pre-summed gradient per tree node of that range, and the coordinator sums the nodes along the
/// same fixed tree as <see cref="LocalStepExecutor"/>, so the result is bit-identical for any worker count and any
/// assignment. A result that fails validation, or never comes, drops its worker; its shards are recomputed by the
/// others within the same step.
/// </summary>
public sealed class DistributedStepExecutor(WorkerRegistry registry, IOptions<CoordinatorOptions> options, TimeProvider timeProvider, ILogger<DistributedStepExecutor> logger) : IStepExecutor
{
    private readonly int _shardCount = options.Value.ShardCount;
    private readonly WeightsBroadcast _weights = new();
    private readonly List<float[]> _nodeBuffers = [];
    private string _lastLayout = "";
    private bool _disposed;

    public string DeviceKind => registry.DeviceKind ?? "unknown";

    public int Workers => registry.Connected.Count;

    /// <summary>The timings of the last completed step.</summary>
    public StepTimings LastStep { get; private set; } = StepTimings.Zero;

    /// <summary>The last time shards of a failed worker were sent to others: when the failure was detected and when they went out.</summary>
    public ShardReassignment? LastReassignment { get; private set; }

    /// <summary>The timings of all steps so far, added up.</summary>
    public StepTimings Total { get; private set; } = StepTimings.Zero;

    public async ValueTask<ShardStats> ComputeAsync(StepWork work, float[] parameters, float[] gradientSum, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (work.Shards.Count != _shardCount)
        {
            throw new ArgumentException($"step has {work.Shards.Count} shards, the job has {_shardCount}", nameof(work));
        }
        var step = new StepAccounting();
        var started = timeProvider.GetTimestamp();
        var version = _weights.Update(parameters);
        step.Serialization += timeProvider.GetElapsedTime(started);

        var nodes = new Dictionary<TreeNode, float[]>();
        var stats = new ShardStats?[_shardCount];
        var buffersUsed = 0;
        long? failedAt = null;
        for (var missing = MissingRanges(stats); missing.Count > 0; missing = MissingRanges(stats))
        {
            var workers = await ConnectedWorkersAsync(work.Step, missing, cancellationToken);
            if (failedAt is { } since)
            {
                LastReassignment = new ShardReassignment(work.Step, since, timeProvider.GetTimestamp());
                logger.LogWarning("Step {Step}: shards {Shards} reassigned to {Workers} workers {Milliseconds:0} ms after the failure was detected",
                    work.Step, string.Join(" ", missing), workers.Count, timeProvider.GetElapsedTime(since).TotalMilliseconds);
            }
            var ranges = ShardBalancer.Assign(missing, [.. workers.Select(w => w.SamplesPerSecond)]);
            var round = Enumerable.Range(0, workers.Count).Where(i => ranges[i] is not null).Select(i => (Worker: workers[i], Range: ranges[i]!.Value)).ToList();
            LogLayoutIfChanged(work.Step, round);

            var sendStarted = timeProvider.GetTimestamp();
            var receiving = new List<Task<Received>>(round.Count);
            foreach (var (worker, range) in round)
            {
                var message = BuildAssignment(work, worker, range, version);
                step.BytesSent += message.CalculateSize();
                receiving.Add(worker.TrySend(message)
                    ? ReceiveAsync(worker, work.Step, ResultDeadline.For(options.Value, worker.SamplesPerSecond, SampleCount(work, range)), cancellationToken)
                    : Task.FromResult(new Received(null, "its work stream is closed", timeProvider.GetTimestamp())));
            }
            var waitStarted = timeProvider.GetTimestamp();
            step.Serialization += timeProvider.GetElapsedTime(sendStarted, waitStarted);
            var received = await Task.WhenAll(receiving);
            var waited = timeProvider.GetElapsedTime(waitStarted);
            var slowestCompute = TimeSpan.FromMicroseconds(received.Max(r => r.Result?.ComputeMicros ?? 0));
            step.Compute += slowestCompute;
            step.NetworkWait += waited > slowestCompute ? waited - slowestCompute : TimeSpan.Zero;

            for (var i = 0; i < round.Count; i++)
            {
                var (worker, range) = round[i];
                var (result, failure, _) = received[i];
                if (result is not null)
                {
                    step.BytesReceived += result.CalculateSize();
                    failure = Accept(result, work, range, nodes, ref buffersUsed, step);
                }
                if (failure is not null)
                {
                    registry.Drop(worker, $"step {work.Step}, shards {range}: {failure}");
                    failedAt ??= received[i].At;
                    continue;
                }
                for (var s = 0; s < range.Count; s++)
                {
                    var outcome = result!.Shards[s];
                    stats[range.Start + s] = new ShardStats(outcome.LossSum, outcome.Correct, outcome.Samples);
                }
                worker.RecordSpeed(result!.Shards.Sum(s => s.Samples), result.ComputeMicros);
            }
        }

        var aggregating = timeProvider.GetTimestamp();
        var sum = GradientTree.Sum(new TreeNode(0, _shardCount), node => nodes.GetValueOrDefault(node));
        sum.CopyTo(gradientSum, 0);
        var total = default(ShardStats);
        foreach (var s in stats)
        {
            total += s!.Value;
        }
        step.Aggregation += timeProvider.GetElapsedTime(aggregating);
        LastStep = step.ToTimings();
        Total += LastStep;
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await registry.ShutdownAsync(CnnDistributed.Worker.Runtime.WorkerRefusals.JobFinished, timeProvider);
        }
    }

    private string? Accept(StepResult result, StepWork work, ShardRange range, Dictionary<TreeNode, float[]> nodes, ref int buffersUsed, StepAccounting step)
    {
        var checking = timeProvider.GetTimestamp();
        var refusal = StepResultValidator.CheckShape(result, work.Step, range, _shardCount, work.Shards);
        step.Aggregation += timeProvider.GetElapsedTime(checking);
        if (refusal is not null)
        {
            return refusal;
        }
        var parsed = new List<(TreeNode Node, float[] Gradient)>(result.Nodes.Count);
        foreach (var node in result.Nodes)
        {
            var decoding = timeProvider.GetTimestamp();
            var buffer = NodeBuffer(buffersUsed++);
            MemoryMarshal.Cast<byte, float>(node.GradientSum.Span).CopyTo(buffer);
            var treeNode = new TreeNode(node.Start, node.Size);
            checking = timeProvider.GetTimestamp();
            step.Serialization += timeProvider.GetElapsedTime(decoding, checking);
            refusal = StepResultValidator.CheckFinite(treeNode, buffer);
            step.Aggregation += timeProvider.GetElapsedTime(checking);
            if (refusal is not null)
            {
                return refusal;
            }
            parsed.Add((treeNode, buffer));
        }
        foreach (var (node, gradient) in parsed)
        {
            nodes[node] = gradient;
        }
        return null;
    }

    private float[] NodeBuffer(int index)
    {
        while (_nodeBuffers.Count <= index)
        {
            _nodeBuffers.Add(new float[ModelShape.ParameterCount]);
        }
        return _nodeBuffers[index];
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
            assignment.Shards.Add(new ShardData { Pixels = ByteString.CopyFrom(shard.Pixels.Span), Labels = ByteString.CopyFrom(shard.Labels.Span) });
        }
        return new CoordinatorMessage { Assignment = assignment };
    }

    /// <summary>
    /// The worker's result for <paramref name="step"/>, or why there is none: its deadline passed, or its stream closed.
    /// A late result of an earlier step (one whose shards were already recomputed elsewhere) is discarded.
    /// </summary>
    private async Task<Received> ReceiveAsync(WorkerConnection worker, long step, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var expiry = new CancellationTokenSource(deadline, timeProvider);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        try
        {
            while (true)
            {
                var result = await worker.Inbox.ReadAsync(waiting.Token);
                if (result.StepId < step)
                {
                    logger.LogDebug("Discarded a late result of step {Late} from {Worker} during step {Step}", result.StepId, worker, step);
                    continue;
                }
                return new Received(result, null, timeProvider.GetTimestamp());
            }
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new Received(null, $"no result for step {step} within its deadline of {deadline.TotalSeconds:0.###} s", timeProvider.GetTimestamp());
        }
        catch (ChannelClosedException e)
        {
            return new Received(null, e.InnerException?.Message ?? "its work stream closed", timeProvider.GetTimestamp());
        }
    }

    /// <summary>The connected workers; with none left, waits up to <see cref="CoordinatorOptions.WorkerWaitTimeout"/> for one to join.</summary>
    private async Task<IReadOnlyList<WorkerConnection>> ConnectedWorkersAsync(long step, IReadOnlyList<ShardRange> missing, CancellationToken cancellationToken)
    {
        var workers = registry.Connected;
        if (workers.Count > 0)
        {
            return workers;
        }
        var timeout = options.Value.WorkerWaitTimeout;
        logger.LogWarning("Step {Step}: no workers left; waiting up to {Seconds:0.#} s for one to join", step, timeout.TotalSeconds);
        try
        {
            await registry.WaitForWorkersAsync(1, cancellationToken).WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new DistributedStepException($"step {step}: no workers joined within {timeout.TotalSeconds:0.#} s to compute shards {string.Join(" ", missing)}");
        }
        return registry.Connected;
    }

    private static int SampleCount(StepWork work, ShardRange range)
    {
        var samples = 0;
        for (var s = range.Start; s < range.End; s++)
        {
            samples += work.Shards[s].Count;
        }
        return samples;
    }

    private void LogLayoutIfChanged(long step, IReadOnlyList<(WorkerConnection Worker, ShardRange Range)> round)
    {
        var layout = string.Join(", ", round.Select(a => $"{a.Worker} {a.Range.Count} shards {a.Range}"));
        if (layout == _lastLayout)
        {
            return;
        }
        _lastLayout = layout;
        logger.LogInformation("Step {Step}: {Layout}; measured speed {Speeds}", step, layout,
            string.Join(", ", round.Select(a => $"{a.Worker.Name} {a.Worker.SamplesPerSecond:0} samples/s")));
    }

    private static List<ShardRange> MissingRanges(ShardStats?[] stats)
    {
        var ranges = new List<ShardRange>();
        for (var s = 0; s < stats.Length; s++)
        {
            if (stats[s] is not null)
            {
                continue;
            }
            var start = s;
            while (s < stats.Length && stats[s] is null)
            {
                s++;
            }
            ranges.Add(new ShardRange(start, s));
        }
        return ranges;
    }

    private sealed record Received(StepResult? Result, string? Failure, long At);

    private sealed class StepAccounting
    {
        public TimeSpan Compute;
        public TimeSpan Serialization;
        public TimeSpan NetworkWait;
        public TimeSpan Aggregation;
        public long BytesSent;
        public long BytesReceived;

        public StepTimings ToTimings() => new(Compute.TotalSeconds, Serialization.TotalSeconds, NetworkWait.TotalSeconds, Aggregation.TotalSeconds, BytesSent, BytesReceived);
    }
}
