using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Tests.Training;

/// <summary>Tiny data sets whose images carry their own index (pixels 0 and 1, little-endian), for checking data order.</summary>
public static class SyntheticDataset
{
    public static MnistDataset Create(int trainCount, int testCount = 7) => new(Split(trainCount), Split(testCount));

    public static int IndexOf(ReadOnlySpan<byte> image) => image[0] | image[1] << 8;

    private static MnistSplit Split(int count)
    {
        var pixels = new byte[count * ModelShape.Pixels];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            pixels[i * ModelShape.Pixels] = (byte)i;
            pixels[i * ModelShape.Pixels + 1] = (byte)(i >> 8);
            labels[i] = (byte)(i % ModelShape.Classes);
        }
        return new MnistSplit(pixels, labels);
    }
}
