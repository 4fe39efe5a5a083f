namespace CnnDistributed.Coordinator.Cluster;

/// <summary>
/// Splits the shards still to compute among workers: each worker gets one contiguous range, its size proportional to
/// the worker's measured speed (largest remainders, ties to the earlier-joined worker). Unmeasured workers count as
/// the mean of the measured ones. When the shards to compute lie in several ranges, a worker's range never spans
/// two of them; what a round cannot place is left for the next round.
/// </summary>
public static class ShardBalancer
{
    /// <summary>Per worker (same order as <paramref name="speeds"/>), its range this round, or null when it gets none.</summary>
    public static ShardRange?[] Assign(IReadOnlyList<ShardRange> missing, IReadOnlyList<double> speeds)
    {
        var quotas = Apportion(missing.Sum(r => r.Count), EffectiveSpeeds(speeds));
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

    /// <summary>Splits <paramref name="total"/> shards in proportion to <paramref name="speeds"/> (largest remainder, ties to the lower index).</summary>
    public static int[] Apportion(int total, IReadOnlyList<double> speeds)
    {
        var sum = speeds.Sum();
        var quotas = new int[speeds.Count];
        var remainders = new double[speeds.Count];
        var given = 0;
        for (var i = 0; i < speeds.Count; i++)
        {
            var exact = total * speeds[i] / sum;
            quotas[i] = (int)Math.Floor(exact);
            remainders[i] = exact - quotas[i];
            given += quotas[i];
        }
        foreach (var i in Enumerable.Range(0, speeds.Count).OrderByDescending(i => remainders[i]).ThenBy(i => i).Take(total - given))
        {
            quotas[i]++;
        }
        return quotas;
    }

    private static double[] EffectiveSpeeds(IReadOnlyList<double> speeds)
    {
        var measured = speeds.Where(s => s > 0).ToArray();
        var fallback = measured.Length == 0 ? 1.0 : measured.Average();
        return [.. speeds.Select(s => s > 0 ? s : fallback)];
    }
}
