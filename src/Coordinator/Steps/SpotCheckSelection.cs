using CnnDistributed.Core.Training;

namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// Which accepted nodes a second worker recomputes (<c>--verify-fraction</c>): each node with probability F, decided by
/// a hash of the job's seed, the step and the node's first shard: reproducible for a run, and unknown to workers (the
/// seed never goes on the wire), so a worker cannot tell whether its result will be checked.
/// </summary>
public static class SpotCheckSelection
{
    public static bool Picks(ulong seed, long step, TreeNode node, double fraction) =>
        fraction >= 1
        || (fraction > 0 && Uniform(Mix(Mix(Mix(seed) ^ (ulong)step) ^ (ulong)node.Start)) < fraction);

    // The top 53 bits as a double in [0, 1).
    private static double Uniform(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    // SplitMix64's finaliser: a bijection that spreads every input bit over the output.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
