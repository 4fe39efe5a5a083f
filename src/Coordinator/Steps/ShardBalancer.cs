using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// Splits the shards still to compute among workers: each worker gets one contiguous range, in join order, its size
/// proportional to the worker's measured speed, boundaries nudged onto tree-aligned shards where that costs less than
/// <see cref="AlignmentTolerance"/> of a shard. Unmeasured workers count as the mean of the measured ones. When the
/// shards to compute lie in several ranges, a worker's range never spans two of them; what a round cannot place is
/// left for the next round. No worker gets more than <see cref="MaxShards"/>: speeds are the coordinator's own
/// measurements, and the bound also caps how much of a step's data and gradient one worker holds however fast it is.
/// </summary>
public static class ShardBalancer
{
    /// <summary>
    /// Per worker (same order as <paramref name="speeds"/>), its range this round, or null when it gets none.
    /// </summary>
    public static ShardRange?[] Assign(
        IReadOnlyList<ShardRange> missing, IReadOnlyList<double> speeds, double maxShareFactor)
    {
        var total = missing.Sum(r => r.Count);
        var effective = CapSpeeds(EffectiveSpeeds(speeds), maxShareFactor);
        var quotas = Apportion(total, effective, missing.Count > 0 ? missing[0].Start : 0);
        Cap(quotas, effective, MaxShards(total, speeds.Count, maxShareFactor));
        var assigned = new ShardRange?[speeds.Count];
        var rangeIndex = 0;
        var position = missing.Count > 0 ? missing[0].Start : 0;
        for (var w = 0; w < speeds.Count && rangeIndex < missing.Count; w++)
        {
            if (quotas[w] == 0)
            {
                continue;
            }
            var end = Math.Min(position + quotas[w], missing[rangeIndex].End);
            assigned[w] = new ShardRange(position, end);
            position = end;
            if (position == missing[rangeIndex].End && ++rangeIndex < missing.Count)
            {
                position = missing[rangeIndex].Start;
            }
        }
        return assigned;
    }

    /// <summary>
    /// How much sooner (a fraction of the current split's predicted compute time) a new split of a whole step must be
    /// predicted to finish before it replaces the current one. Compute times of workers that share cores swing from
    /// step to step, and without this margin the split follows the noise: on two workers sharing two cores the 4/4
    /// split flipped to 3/5 and back in one step of three, and each 3/5 step ran a quarter longer.
    /// </summary>
    public const double RebalanceGain = 0.1;

    /// <summary>
    /// The split of a whole step of <paramref name="shardCount"/> shards among the workers that computed the last one:
    /// <paramref name="current"/> (their last split), unless the speed-proportional split (<see cref="Assign"/>) is
    /// predicted to finish at least <see cref="RebalanceGain"/> sooner, or sends fewer tree nodes and is predicted to
    /// finish at most <see cref="RebalanceGain"/> later.
    /// <para>
    /// The second rule because a speed is samples per round trip: the fixed part of a round trip (weights, gradients
    /// and their encryption) counts as compute, so whoever holds more shards looks faster than it is, and the
    /// prediction favours the split in place. Without the rule, two equal workers that once drifted to 3/5 on 8 shards
    /// stayed there (four gradients a step instead of two) whenever the fixed part exceeded the compute of one shard.
    /// </para>
    /// </summary>
    public static ShardRange?[] Rebalance(
        ShardRange?[] current, int shardCount, IReadOnlyList<double> speeds, double maxShareFactor)
    {
        var proposed = Assign([new ShardRange(0, shardCount)], speeds, maxShareFactor);
        var effective = EffectiveSpeeds(speeds);
        var allowed = Nodes(proposed, shardCount) < Nodes(current, shardCount) ? 1 + RebalanceGain : 1 - RebalanceGain;
        return PredictedTime(proposed, effective) <= allowed * PredictedTime(current, effective)
            ? proposed
            : current;
    }

    /// <summary>The gradients a split sends per step: the tree nodes covering each range.</summary>
    private static int Nodes(ShardRange?[] ranges, int shardCount) =>
        ranges.Sum(r => r is { } range ? GradientTree.Cover(shardCount, range.Start, range.End).Count : 0);

    /// <summary>
    /// How far (in shards) a boundary may move from its speed-proportional place to land on a tree-aligned shard.
    /// </summary>
    public const double AlignmentTolerance = 0.6;

    /// <summary>
    /// Splits <paramref name="total"/> shards starting at shard <paramref name="offset"/> in proportion to
    /// <paramref name="speeds"/>: each cumulative boundary goes to the integer within <see cref="AlignmentTolerance"/>
    /// of its exact place that is best aligned in the gradient tree (fewer nodes to send), ties to the nearer one.
    /// </summary>
    public static int[] Apportion(int total, IReadOnlyList<double> speeds, int offset = 0)
    {
        var sum = speeds.Sum();
        var quotas = new int[speeds.Count];
        var cumulative = 0.0;
        var previous = 0;
        for (var i = 0; i < speeds.Count; i++)
        {
            cumulative += speeds[i];
            var boundary = i == speeds.Count - 1
                ? total
                : SnapBoundary(total * cumulative / sum, previous, total, offset);
            quotas[i] = boundary - previous;
            previous = boundary;
        }
        return quotas;
    }

    /// <summary>
    /// The most of <paramref name="total"/> shards one of <paramref name="workers"/> workers gets:
    /// <paramref name="maxShareFactor"/> times its fair share, rounded up.
    /// </summary>
    public static int MaxShards(int total, int workers, double maxShareFactor) =>
        Math.Max(1, (int)Math.Ceiling(maxShareFactor * total / workers));

    /// <summary>
    /// Lowers the fastest speeds until no worker's proportional share exceeds <paramref name="factor"/> times the fair
    /// share: a capped worker counts as the speed c at which c / (capped · c + the others' speeds) is exactly that
    /// share. When the capped workers alone could take every shard within the bound, they count as equals.
    /// </summary>
    private static double[] CapSpeeds(double[] speeds, double factor)
    {
        var n = speeds.Length;
        var capped = new bool[n];
        var count = 0;
        while (true)
        {
            var others = 0.0;
            for (var i = 0; i < n; i++)
            {
                others += capped[i] ? 0 : speeds[i];
            }
            var cap = n - (factor * count) > 0 ? factor * others / (n - (factor * count)) : double.PositiveInfinity;
            var more = false;
            for (var i = 0; i < n; i++)
            {
                if (!capped[i] && speeds[i] > cap)
                {
                    capped[i] = more = true;
                    count++;
                }
            }
            if (!more)
            {
                var value = double.IsFinite(cap) ? cap : speeds.Where((_, i) => capped[i]).DefaultIfEmpty(0).Min();
                return [.. speeds.Select((s, i) => capped[i] ? value : s)];
            }
        }
    }

    /// <summary>
    /// Cuts a quota that rounding took above <paramref name="bound"/> back to it and hands the excess to the others,
    /// fastest first, up to the bound each (it always fits: the bound is at least the fair share).
    /// </summary>
    private static void Cap(int[] quotas, double[] speeds, int bound)
    {
        var excess = 0;
        for (var i = 0; i < quotas.Length; i++)
        {
            if (quotas[i] > bound)
            {
                excess += quotas[i] - bound;
                quotas[i] = bound;
            }
        }
        foreach (var i in Enumerable.Range(0, quotas.Length).OrderByDescending(i => speeds[i]))
        {
            var taken = Math.Min(excess, bound - quotas[i]);
            quotas[i] += taken;
            excess -= taken;
        }
    }

    private static int SnapBoundary(double exact, int lowest, int total, int offset)
    {
        var from = Math.Max(lowest, (int)Math.Ceiling(exact - AlignmentTolerance));
        var to = Math.Min(total, (int)Math.Floor(exact + AlignmentTolerance));
        var best = Math.Clamp((int)Math.Round(exact, MidpointRounding.AwayFromZero), lowest, total);
        for (var candidate = from; candidate <= to; candidate++)
        {
            var alignment = Alignment(offset + candidate);
            var bestAlignment = Alignment(offset + best);
            if (alignment > bestAlignment
                || (alignment == bestAlignment && Math.Abs(candidate - exact) < Math.Abs(best - exact)))
            {
                best = candidate;
            }
        }
        return best;
    }

    /// <summary>
    /// When the slowest worker finishes, in shards per unit of speed (the shards of a step hold equal numbers of
    /// samples, up to one).
    /// </summary>
    private static double PredictedTime(ShardRange?[] ranges, double[] speeds)
    {
        var slowest = 0.0;
        for (var i = 0; i < ranges.Length; i++)
        {
            if (ranges[i] is { } range)
            {
                slowest = Math.Max(slowest, range.Count / speeds[i]);
            }
        }
        return slowest;
    }

    private static int Alignment(int shard) => shard == 0 ? 32 : System.Numerics.BitOperations.TrailingZeroCount(shard);

    private static double[] EffectiveSpeeds(IReadOnlyList<double> speeds)
    {
        var measured = speeds.Where(s => s > 0).ToArray();
        var fallback = measured.Length == 0 ? 1.0 : measured.Average();
        return [.. speeds.Select(s => s > 0 ? s : fallback)];
    }
}
