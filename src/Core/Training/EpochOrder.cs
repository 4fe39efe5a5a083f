using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Training;

/// <summary>
/// The order in which an epoch visits the training samples: a Fisher–Yates shuffle from a generator
/// seeded by (seed, epoch) alone, so any epoch's order can be rebuilt on resume without saved RNG state.
/// </summary>
public static class EpochOrder
{
    /// <summary>
    /// The sample indices 0 to <paramref name="sampleCount"/> − 1 in the order epoch <paramref name="epoch"/>
    /// (0-based) visits them: shuffled from (<paramref name="seed"/>, <paramref name="epoch"/>), or in file order
    /// when <paramref name="shuffle"/> is false.
    /// </summary>
    public static int[] Create(int sampleCount, ulong seed, int epoch, bool shuffle)
    {
        var order = new int[sampleCount];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        if (!shuffle)
        {
            return order;
        }
        var random = new SeededRandom(seed * 0x9E3779B97F4A7C15UL ^ ((ulong)epoch + 1) * 0xD1B54A32D192ED03UL);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
