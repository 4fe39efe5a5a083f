using System.Globalization;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Checkpoints;

/// <summary>Refuses weights read from a file that hold NaN or an infinity, naming the tensor and the element.</summary>
internal static class FiniteTensors
{
    /// <summary>
    /// Throws <see cref="DataFormatException"/> for <paramref name="path"/> at the first value of
    /// <paramref name="values"/> (laid out as <see cref="ModelShape.Tensors"/>) that is not finite; the message says
    /// "<paramref name="what"/>tensor NAME", e.g. "velocity of tensor fc1.bias".
    /// </summary>
    public static void Require(string path, ReadOnlySpan<float> values, string what = "")
    {
        foreach (var tensor in ModelShape.Tensors)
        {
            var slice = values.Slice(tensor.Offset, tensor.Length);
            for (var i = 0; i < slice.Length; i++)
            {
                if (!float.IsFinite(slice[i]))
                {
                    throw new DataFormatException(
                        path,
                        $"{what}tensor {tensor.Name}: element {i} is "
                        + slice[i].ToString(CultureInfo.InvariantCulture) + " (weights must be finite)");
                }
            }
        }
    }
}
