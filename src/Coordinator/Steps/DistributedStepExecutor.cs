using System.Runtime.InteropServices;
using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Coordinator.Tracing;
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
/// assignment. Every result is checked before it counts (docs/security.md, "Hostile workers"): one that breaks the
/// protocol, or never comes, drops its worker; one refused for its values (NaN, infinity, a norm above the absolute
/// bound) is recomputed by the others and counts towards its worker's refusals in a row. A node whose norm is an
/// outlier against the recent median is held until another worker computes it (the same bits: an honest outlier), and
/// a fraction of the accepted nodes is spot-checked the same way; a worker that two others contradict is dropped and
/// its nodes of the step recomputed. When the same shard is refused for its values a second time in one step, the
/// weights themselves have diverged (every worker would answer the same): the job ends with
/// <see cref="TrainingDivergedException"/> instead of dropping honest workers for ever.
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
    // The computation whose gradient _nodes holds, indexed by the node's first shard.
    private readonly NodeCandidate?[] _sources = new NodeCandidate?[job.Value.Shards];
    private readonly List<NodeCheck> _checks = [];
    // Workers refused for their values in the step in progress: they get none of its shards while others are there.
    private readonly HashSet<WorkerConnection> _refusedThisStep = [];
    private readonly GradientNormHistory _norms = new();
    private readonly ulong _seed = job.Value.Seed;
    // Results received in the step in progress: their pooled gradient buffers back _nodes and the checks' candidates
    // until the step's sum.
    private readonly List<ReceivedResult> _received = [];
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

    /// <summary>What the outlier and spot checks did so far.</summary>
    public NodeCheckCounts Checks { get; } = new();

    /// <summary>The timings of all steps so far, added up.</summary>
    public StepTimings Total { get; private set; } = StepTimings.Zero;

    /// <summary>
    /// The step timeline being recorded (<c>--trace</c>), or null: set before the first step. Steps outside its window
    /// cost one comparison.
    /// </summary>
    public StepTrace? Trace { get; set; }

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
            foreach (var received in _received)
            {
                received.Release();
            }
            _received.Clear();
        }
    }

    // A step runs in rounds until every shard has a settled result: the first round splits all shards among the
    // connected workers; each later round splits the shards refused or lost in the round before among the others, and
    // once no shard is missing, each round gives the nodes under check to workers that have not computed them yet.
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
        if (Trace is { } trace && trace.Records(work.Step))
        {
            step.Trace = trace;
            step.AssignedAt = [];
            step.Number = work.Step;
            step.Started = timeProvider.GetTimestamp();
            trace.BeginStep(registry.Connected);
        }
        var version = UpdateWeights(parameters, step);
        _nodes.Clear();
        Array.Clear(_done);
        Array.Clear(_refusedForValues);
        Array.Clear(_sources);
        _checks.Clear();
        _refusedThisStep.Clear();
        long? failedAt = null;
        while (true)
        {
            List<Assignment> round;
            if (MissingRanges() is { Count: > 0 } missing)
            {
                var workers = Unrefused(await ConnectedWorkersAsync(work.Step, missing, cancellationToken));
                if (failedAt is { } since)
                {
                    RecordReassignment(work.Step, missing, workers.Count, since);
                    step.Trace?.Instant("shards reassigned", timeProvider.GetTimestamp(), new()
                    {
                        ["step"] = work.Step,
                        ["shards"] = string.Join(" ", missing),
                    });
                }
                var ranges = SplitAmong(work.Step, workers, missing);
                LogLayoutIfChanged(work.Step, workers, ranges);
                round = [];
                for (var i = 0; i < workers.Count; i++)
                {
                    if (ranges[i] is { } range)
                    {
                        round.Add(new Assignment(workers[i], range, null));
                    }
                }
            }
            else if (_checks.Count > 0)
            {
                round = PlanChecks();
                if (round.Count == 0)
                {
                    SettleWithoutWorkers(work.Step);
                    continue;
                }
            }
            else
            {
                break;
            }
            var receiving = SendAssignments(work, round, version, step, cancellationToken);
            var received = await AwaitResultsAsync(receiving, step);
            var failedThisRound = TakeResults(work, round, received, step);
            failedAt ??= failedThisRound;
        }
        return SumStep(gradientSum, step);
    }

    /// <summary>The workers not refused in this step, or all of them when every one was.</summary>
    private IReadOnlyList<WorkerConnection> Unrefused(IReadOnlyList<WorkerConnection> workers)
    {
        if (_refusedThisStep.Count == 0)
        {
            return workers;
        }
        var unrefused = workers.Where(w => !_refusedThisStep.Contains(w)).ToList();
        return unrefused.Count > 0 ? unrefused : workers;
    }

    /// <summary>
    /// Serialises the step's weights once for every assignment that carries them; returns their version.
    /// </summary>
    private ulong UpdateWeights(float[] parameters, StepAccounting step)
    {
        var started = timeProvider.GetTimestamp();
        var version = _weights.Update(parameters);
        var ended = timeProvider.GetTimestamp();
        step.Serialization += timeProvider.GetElapsedTime(started, ended);
        step.Trace?.Coordinator("serialise weights", started, ended);
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
        List<Assignment> round,
        ulong version,
        StepAccounting step,
        CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var receiving = new List<Task<Received>>(round.Count);
        step.AssignedAt?.Clear();
        foreach (var (worker, range, _) in round)
        {
            var message = BuildAssignment(work, worker, range, version);
            step.BytesSent += message.CalculateSize();
            var deadline = ResultDeadline.For(options.Value, worker.SamplesPerSecond, SampleCount(work, range));
            step.AssignedAt?.Add(timeProvider.GetTimestamp());
            var result = worker.AssignAsync(message, work.Step, cancellationToken);
            receiving.Add(ReceiveAsync(result, work.Step, deadline, cancellationToken));
        }
        var ended = timeProvider.GetTimestamp();
        step.Serialization += timeProvider.GetElapsedTime(started, ended);
        step.Trace?.Coordinator("send assignments", started, ended);
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
        step.Trace?.Coordinator("wait for results", started, timeProvider.GetTimestamp());
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
    /// Checks each worker's result and takes in the valid ones; a worker whose result is missing is dropped, and the
    /// shards of a refused or missing result stay missing. Returns when the first failure of this round was detected,
    /// or null.
    /// </summary>
    private long? TakeResults(StepWork work, List<Assignment> round, Received[] received, StepAccounting step)
    {
        long? failedAt = null;
        var started = timeProvider.GetTimestamp();
        for (var i = 0; i < round.Count; i++)
        {
            var (worker, range, check) = round[i];
            var (receivedResult, failure, at) = received[i];
            check?.Tried.Add(worker);
            if (receivedResult?.Result is not { } result)
            {
                step.Trace?.WorkerFailed(worker, range.ToString(), step.AssignedAt![i], at, failure ?? "");
                registry.Drop(worker, $"step {work.Step}, shards {range}: {failure}");
                failedAt ??= at;
                continue;
            }
            step.Trace?.Worker(worker, range.ToString(), step.AssignedAt![i], at, result.ComputeMicros);
            _received.Add(receivedResult);
            step.BytesReceived += result.CalculateSize();
            var checking = timeProvider.GetTimestamp();
            var refused = check is null
                ? !TakeResult(work, worker, range, result)
                : !TakeCheck(work, worker, check, result);
            step.Aggregation += timeProvider.GetElapsedTime(checking);
            if (refused)
            {
                failedAt ??= at;
            }
        }
        step.Trace?.Coordinator("check results", started, timeProvider.GetTimestamp());
        return failedAt;
    }

    /// <summary>
    /// Takes in a result for <paramref name="range"/>: its nodes are summed, held as norm outliers, or picked for a
    /// spot check. False when the result is refused.
    /// </summary>
    private bool TakeResult(StepWork work, WorkerConnection worker, ShardRange range, StepResult result)
    {
        if (Check(work, worker, range, result) is not { } candidates)
        {
            return false;
        }
        var outliers = false;
        foreach (var candidate in candidates)
        {
            var samples = SampleCount(work, candidate.Node);
            if (_norms.IsOutlier(candidate.Norm, samples, options.Value.MaxNormRatio))
            {
                MarkDone(candidate.Node);
                _checks.Add(new NodeCheck(candidate, accepted: false));
                Checks.OutliersHeld++;
                outliers = true;
                continue;
            }
            Accept(candidate, samples);
            if (SpotCheckSelection.Picks(_seed, work.Step, candidate.Node, options.Value.VerifyFraction))
            {
                _checks.Add(new NodeCheck(candidate, accepted: true));
                Checks.SpotChecks++;
            }
        }
        if (!outliers)
        {
            worker.RefusedInARow = 0;
        }
        worker.RecordSpeed(SampleCount(work, range));
        return true;
    }

    /// <summary>
    /// Takes in another computation of a node under check: the same bits as an earlier one settle the node; for a held
    /// outlier, a different result within the norm bound settles it too. False when the result is refused.
    /// </summary>
    private bool TakeCheck(StepWork work, WorkerConnection worker, NodeCheck check, StepResult result)
    {
        if (Check(work, worker, check.Range, result) is not [var candidate])
        {
            return false;
        }
        var samples = SampleCount(work, check.Node);
        worker.RecordSpeed(samples);
        if (check.Matching(candidate) is { } agreed)
        {
            worker.RefusedInARow = 0;
            Settle(work.Step, check, agreed, samples);
        }
        else if (!check.Accepted && !_norms.IsOutlier(candidate.Norm, samples, options.Value.MaxNormRatio))
        {
            worker.RefusedInARow = 0;
            Settle(work.Step, check, candidate, samples);
        }
        else
        {
            check.Candidates.Add(candidate);
        }
        return true;
    }

    /// <summary>
    /// The result's nodes after every check that needs no other result (<see cref="StepResultValidator"/>), or null
    /// when it is refused: a protocol fault drops the worker, a fault in its values counts as a refusal in a row.
    /// </summary>
    private List<NodeCandidate>? Check(StepWork work, WorkerConnection worker, ShardRange range, StepResult result)
    {
        var refusal = StepResultValidator.CheckShape(result, work.Step, range, _shardCount, work.Shards);
        var candidates = new List<NodeCandidate>(result.Nodes.Count);
        for (var n = 0; refusal is null && n < result.Nodes.Count; n++)
        {
            var node = new TreeNode(result.Nodes[n].Start, result.Nodes[n].Size);
            var gradient = result.Nodes[n].GradientSum;
            var norm = 0.0;
            if (!options.Value.SkipValueChecks)
            {
                refusal = StepResultValidator.CheckValues(
                    node,
                    MemoryMarshal.Cast<byte, float>(gradient.Span),
                    options.Value.MaxSampleGradientNorm * SampleCount(work, node),
                    out norm);
            }
            var outcomes = new ShardStats[node.Size];
            for (var s = 0; s < node.Size; s++)
            {
                var outcome = result.Shards[node.Start - range.Start + s];
                outcomes[s] = new ShardStats(outcome.LossSum, outcome.Correct, outcome.Samples);
            }
            candidates.Add(new NodeCandidate(worker, node, gradient, outcomes, norm));
        }
        if (refusal is not { } refused)
        {
            return candidates;
        }
        if (refused.Kind is ResultRefusal.NonFiniteGradient or ResultRefusal.GradientNorm
            || (refused.Kind is ResultRefusal.ShardLoss && result.Shards.Any(s => !double.IsFinite(s.LossSum))))
        {
            RecordRefusedValues(work.Step, range, refused.Reason);
            RefuseForValues(work.Step, worker, range, refused.Reason);
        }
        else
        {
            registry.Drop(worker, $"step {work.Step}, shards {range}: {refused.Reason}");
        }
        return null;
    }

    /// <summary>Puts a computation's node into the step's sum.</summary>
    private void Accept(NodeCandidate candidate, int samples)
    {
        _nodes.Add(candidate.Node, candidate.Gradient);
        _sources[candidate.Node.Start] = candidate;
        candidate.Outcomes.CopyTo(_stats, candidate.Node.Start);
        MarkDone(candidate.Node);
        _norms.Add(candidate.Norm / samples);
    }

    private void MarkDone(TreeNode node) => _done.AsSpan(node.Start, node.Size).Fill(true);

    /// <summary>
    /// Ends a check with <paramref name="winner"/>'s bits in the sum. The computations that differ from it lose: a held
    /// outlier's worker is refused for its values; a worker whose result two others contradicted is dropped, and
    /// its other nodes of the step are recomputed.
    /// </summary>
    private void Settle(long step, NodeCheck check, NodeCandidate winner, int samples)
    {
        _checks.Remove(check);
        if (!check.Accepted && winner.SameAs(check.First))
        {
            // An honest outlier: the run's norms have moved, and the old median would hold every node after it.
            _norms.Clear();
        }
        if (!check.Accepted || !winner.SameAs(check.First))
        {
            Accept(winner, samples);
        }
        if (!check.Accepted && winner.SameAs(check.First))
        {
            Checks.HonestOutliers++;
            logger.LogInformation(
                "Step {Step}: node {Node} of {Worker} has an outlying norm; {Other} computed the same bits: accepted",
                step, check.Node, check.First.Worker, winner.Worker);
        }
        foreach (var loser in check.Candidates.Where(c => !c.SameAs(winner)))
        {
            if (check.Accepted)
            {
                DropContradicted(step, loser.Worker, check.Node);
            }
            else
            {
                RefuseForValues(
                    step,
                    loser.Worker,
                    check.Range,
                    $"gradient of node {check.Node} has L2 norm {loser.Norm:G3}, above {options.Value.MaxNormRatio} × "
                        + $"the recent median per sample, and {winner.Worker} computed other bits");
            }
        }
    }

    /// <summary>
    /// Drops a worker whose computation of <paramref name="node"/> two other computations contradicted: none of its
    /// nodes in this step is trusted any more, so they are recomputed (and their checks forgotten).
    /// </summary>
    private void DropContradicted(long step, WorkerConnection liar, TreeNode node)
    {
        registry.Drop(
            liar, $"step {step}: its gradient for node {node} differs from the bits two other workers computed");
        Checks.Contradicted++;
        _refusedThisStep.Add(liar);
        for (var start = 0; start < _shardCount; start++)
        {
            if (_sources[start] is { } source && source.Worker == liar)
            {
                _nodes.Remove(source.Node);
                _sources[start] = null;
                _done.AsSpan(source.Node.Start, source.Node.Size).Clear();
            }
        }
        foreach (var check in _checks.ToList())
        {
            check.Candidates.RemoveAll(c => c.Worker == liar);
            if (check.Candidates.Count == 0 || check.First.Worker == liar)
            {
                _checks.Remove(check);
                _done.AsSpan(check.Node.Start, check.Node.Size).Clear();
                _nodes.Remove(check.Node);
            }
        }
    }

    /// <summary>
    /// Counts a refusal for the values of <paramref name="worker"/>'s result: it takes no more shards of this step
    /// while others are there, and <see cref="CoordinatorOptions.MaxRefusalsInARow"/> in a row drop it.
    /// </summary>
    private void RefuseForValues(long step, WorkerConnection worker, ShardRange range, string reason)
    {
        _refusedThisStep.Add(worker);
        var most = options.Value.MaxRefusalsInARow;
        if (++worker.RefusedInARow >= most)
        {
            registry.Drop(worker, $"step {step}, shards {range}: {reason} ({most} results in a row refused)");
            return;
        }
        logger.LogWarning(
            "Step {Step}: result of {Worker} for shards {Range} refused, recomputed by others "
                + "({Count} of {Most} refusals in a row drop a worker): {Reason}",
            step, worker, range, worker.RefusedInARow, most, reason);
    }

    /// <summary>
    /// Gives each node under check to one worker that has not computed it yet (a worker takes one node a round).
    /// </summary>
    private List<Assignment> PlanChecks()
    {
        var round = new List<Assignment>();
        var busy = new HashSet<WorkerConnection>();
        var connected = registry.Connected;
        foreach (var check in _checks)
        {
            var worker = connected.FirstOrDefault(
                w => !busy.Contains(w) && !check.Tried.Contains(w) && !_refusedThisStep.Contains(w));
            if (worker is not null)
            {
                busy.Add(worker);
                round.Add(new Assignment(worker, check.Range, check));
            }
        }
        return round;
    }

    /// <summary>
    /// Ends the checks no connected worker can take: a held outlier that no other worker can recompute is accepted (a
    /// lone worker decides the run anyway), a spot check with no second worker is skipped, and two computations that
    /// differ with no third worker to decide end the job.
    /// </summary>
    private void SettleWithoutWorkers(long step)
    {
        foreach (var check in _checks.ToList())
        {
            if (check.Candidates.Count > 1)
            {
                throw new DistributedStepException(
                    $"step {step}: workers {string.Join(", ", check.Candidates.Select(c => c.Worker))} computed "
                    + $"different gradients for node {check.Node} and no other worker is connected to decide");
            }
            _checks.Remove(check);
            if (!check.Accepted)
            {
                logger.LogInformation(
                    "Step {Step}: node {Node} of {Worker} has an outlying norm and no other worker can recompute it: "
                        + "accepted",
                    step, check.Node, check.First.Worker);
                Accept(check.First, check.First.Outcomes.Sum(o => o.Samples));
            }
        }
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
        var ended = timeProvider.GetTimestamp();
        step.Aggregation += timeProvider.GetElapsedTime(started, ended);
        if (step.Trace is { } trace)
        {
            trace.Coordinator("tree sum", started, ended);
            trace.Coordinator($"step {step.Number}", step.Started, ended, new()
            {
                ["bytes_sent"] = step.BytesSent,
                ["bytes_received"] = step.BytesReceived,
            });
        }
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
    /// are split afresh. A worker left out for long counts as unmeasured (<see cref="WorkerConnection.SplitSpeed"/>).
    /// </summary>
    private ShardRange?[] SplitAmong(
        long step, IReadOnlyList<WorkerConnection> workers, IReadOnlyList<ShardRange> missing)
    {
        var speeds = new double[workers.Count];
        for (var i = 0; i < speeds.Length; i++)
        {
            speeds[i] = workers[i].SplitSpeed(step);
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

    /// <summary>One worker's part of a round: a range of missing shards, or the node of a check.</summary>
    private sealed record Assignment(WorkerConnection Worker, ShardRange Range, NodeCheck? Check);

    private sealed class StepAccounting
    {
        public TimeSpan Compute;
        public TimeSpan Serialization;
        public TimeSpan NetworkWait;
        public TimeSpan Aggregation;
        public long BytesSent;
        public long BytesReceived;

        // Set only for a step the trace records: when it began and when each assignment of the round went out.
        public StepTrace? Trace;
        public long Started;
        public long Number;
        public List<long>? AssignedAt;

        public StepTimings ToTimings() => new(
            Compute.TotalSeconds,
            Serialization.TotalSeconds,
            NetworkWait.TotalSeconds,
            Aggregation.TotalSeconds,
            BytesSent,
            BytesReceived);
    }
}
