namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// The fixed summation tree written out plainly, element by element, as the reference that
/// <see cref="Core.Training.GradientTreeSum"/> must match bit for bit: a node is the sum of its left half and its right half.
/// </summary>
public static class ReferenceTreeSum
{
    public static float[] Of(IReadOnlyList<float[]> leaves) => Of(leaves, 0, leaves.Count);

    private static float[] Of(IReadOnlyList<float[]> leaves, int start, int size)
    {
        if (size == 1)
        {
            return (float[])leaves[start].Clone();
        }
        var left = Of(leaves, start, size / 2);
        var right = Of(leaves, start + size / 2, size / 2);
        for (var i = 0; i < left.Length; i++)
        {
            left[i] += right[i];
        }
        return left;
    }
}
