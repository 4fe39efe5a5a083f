using CnnDistributed.Core.Model;

namespace CnnDistributed.GpuCheck;

/// <summary>Inputs chosen to exercise a particular rule of the model.</summary>
public static class AgreementSamples
{
    /// <summary>
    /// An image of 2×2 blocks of equal pixels: every max-pool window ties, and with positive conv1 weights the ties
    /// survive to pool1, so the gradient's routing shows whether the first maximum in row-major order wins.
    /// </summary>
    public static byte[] TiedPixels()
    {
        var pixels = new byte[ModelShape.Pixels];
        for (var y = 0; y < ModelShape.ImageSide; y++)
        {
            for (var x = 0; x < ModelShape.ImageSide; x++)
            {
                pixels[y * ModelShape.ImageSide + x] = (byte)((y / 2 * 7 + x / 2 * 13) % 200);
            }
        }
        return pixels;
    }
}
