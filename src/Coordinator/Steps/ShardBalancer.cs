namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// Splits the shards still to compute among workers: each worker gets one contiguous range, in join order, its size
/// proportional to the worker's measured speed, boundaries nudged onto tree-aligned shards where that costs less than
/// <see cref="AlignmentTolerance"/> of a shard. Unmeasured workers count as the mean of the measured ones. When the
/// shards to compute lie in several ranges, a worker's range never spans two of them; what a round cannot place is
/// left for the next round.
/// </summary>
public static class ShardBalancer
{
    /// <summary>
    /// Per worker (same order as <paramref name="speeds"/>), its range this round, or null when it gets none.
    /// </summary>
    public static ShardRange?[] Assign(IReadOnlyList<ShardRange> missing, IReadOnlyList<double> speeds)
    {
        var quotas = Apportion(
            missing.Sum(r => r.Count), EffectiveSpeeds(speeds), missing.Count > 0 ? missing[0].Start : 0);
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
    /// predicted to finish at least <see cref="RebalanceGain"/> sooner.
    /// </summary>
    public static ShardRange?[] Rebalance(ShardRange?[] current, int shardCount, IReadOnlyList<double> speeds)
    {
        var proposed = Assign([new ShardRange(0, shardCount)], speeds);
        var effective = EffectiveSpeeds(speeds);
        return PredictedTime(proposed, effective) <= (1 - RebalanceGain) * PredictedTime(current, effective)
            ? proposed
            : current;
    }

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
