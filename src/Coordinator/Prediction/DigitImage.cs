using CnnDistributed.Coordinator.Cli;
using CnnDistributed.Core.Model;
using SkiaSharp;

namespace CnnDistributed.Coordinator.Prediction;

/// <summary>
/// A PNG of any size made into an MNIST digit, 28 pixels square (docs/commands.md, "predict"), the way the MNIST
/// images were made: grey levels, a white digit on black (a light background is inverted), the digit's bounding box
/// scaled with anti-aliasing so that its longer side is 20 pixels, then placed so that its centre of mass is the
/// image's centre. Decoding is SkiaSharp's.
/// </summary>
public static class DigitImage
{
    /// <summary>The largest image accepted, in pixels per side: a larger one is refused before it is decoded.</summary>
    public const int MaxSide = 4096;

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The side of the digit's box inside the MNIST image.</summary>
    private const int BoxSide = 20;

    /// <summary>
    /// Reads <paramref name="path"/>; an unreadable, non-PNG or oversized file is a usage error naming it.
    /// </summary>
    public static byte[] FromPng(string path)
    {
        using var bitmap = Decode(path);
        var grey = Grey(bitmap);
        return Centre(Scale(grey, bitmap.Width, bitmap.Height));
    }

    private static SKBitmap Decode(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--image {path}: {(e is FileNotFoundException ? "missing" : e.Message)}");
        }
        if (bytes.Length < PngSignature.Length || !bytes.AsSpan(0, PngSignature.Length).SequenceEqual(PngSignature))
        {
            throw new UsageException($"--image {path}: not a PNG file");
        }
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new UsageException($"--image {path}: not a PNG image SkiaSharp can read");
        if (codec.Info.Width is < 1 or > MaxSide || codec.Info.Height is < 1 or > MaxSide)
        {
            throw new UsageException(
                $"--image {path}: {codec.Info.Width}×{codec.Info.Height} pixels; at most {MaxSide} per side");
        }
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            bitmap.Dispose();
            throw new UsageException($"--image {path}: the PNG could not be decoded ({result})");
        }
        return bitmap;
    }

    /// <summary>
    /// Luminance in [0, 255], transparent pixels counted as background, inverted when the background (the border's
    /// mean) is light, so the digit is the bright part.
    /// </summary>
    private static float[] Grey(SKBitmap bitmap)
    {
        int width = bitmap.Width, height = bitmap.Height;
        var grey = new float[width * height];
        var pixels = bitmap.Pixels;
        for (var i = 0; i < grey.Length; i++)
        {
            var p = pixels[i];
            var luminance = 0.299f * p.Red + 0.587f * p.Green + 0.114f * p.Blue;
            var alpha = p.Alpha / 255f;
            grey[i] = luminance * alpha + 255f * (1 - alpha);
        }
        double border = 0;
        var count = 0;
        for (var x = 0; x < width; x++)
        {
            border += grey[x] + grey[(height - 1) * width + x];
            count += 2;
        }
        for (var y = 0; y < height; y++)
        {
            border += grey[y * width] + grey[y * width + width - 1];
            count += 2;
        }
        if (border / count > 127.5)
        {
            for (var i = 0; i < grey.Length; i++)
            {
                grey[i] = 255f - grey[i];
            }
        }
        return grey;
    }

    /// <summary>The digit's bounding box scaled to fit <see cref="BoxSide"/>, keeping its aspect ratio.</summary>
    private static (float[] Pixels, int Width, int Height) Scale(float[] grey, int width, int height)
    {
        int left = width, right = -1, top = height, bottom = -1;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (grey[y * width + x] > 32)
                {
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                    top = Math.Min(top, y);
                    bottom = Math.Max(bottom, y);
                }
            }
        }
        if (right < 0)
        {
            return (new float[1], 1, 1);
        }
        int boxWidth = right - left + 1, boxHeight = bottom - top + 1;
        var factor = (float)BoxSide / Math.Max(boxWidth, boxHeight);
        var scaledWidth = Math.Max(1, (int)MathF.Round(boxWidth * factor));
        var scaledHeight = Math.Max(1, (int)MathF.Round(boxHeight * factor));
        // Area averaging: each output pixel is the mean of the source pixels it covers (the anti-aliasing MNIST used).
        var scaled = new float[scaledWidth * scaledHeight];
        for (var y = 0; y < scaledHeight; y++)
        {
            float y0 = top + y / factor, y1 = top + (y + 1) / factor;
            for (var x = 0; x < scaledWidth; x++)
            {
                float x0 = left + x / factor, x1 = left + (x + 1) / factor;
                double sum = 0, area = 0;
                for (var sy = (int)y0; sy < Math.Min(height, (int)MathF.Ceiling(y1)); sy++)
                {
                    var wy = Math.Min(y1, sy + 1) - Math.Max(y0, sy);
                    for (var sx = (int)x0; sx < Math.Min(width, (int)MathF.Ceiling(x1)); sx++)
                    {
                        var wx = Math.Min(x1, sx + 1) - Math.Max(x0, sx);
                        sum += wx * wy * grey[sy * width + sx];
                        area += wx * wy;
                    }
                }
                scaled[y * scaledWidth + x] = area > 0 ? (float)(sum / area) : 0;
            }
        }
        return (scaled, scaledWidth, scaledHeight);
    }

    /// <summary>The scaled digit on a black MNIST-sized image, its centre of mass at the image's centre.</summary>
    private static byte[] Centre((float[] Pixels, int Width, int Height) digit)
    {
        double mass = 0, cx = 0, cy = 0;
        for (var y = 0; y < digit.Height; y++)
        {
            for (var x = 0; x < digit.Width; x++)
            {
                var v = digit.Pixels[y * digit.Width + x];
                mass += v;
                cx += v * (x + 0.5);
                cy += v * (y + 0.5);
            }
        }
        var side = ModelShape.ImageSide;
        var image = new byte[side * side];
        if (mass == 0)
        {
            return image;
        }
        var offsetX = (int)Math.Round(side / 2.0 - cx / mass);
        var offsetY = (int)Math.Round(side / 2.0 - cy / mass);
        for (var y = 0; y < digit.Height; y++)
        {
            for (var x = 0; x < digit.Width; x++)
            {
                int tx = x + offsetX, ty = y + offsetY;
                if (tx >= 0 && tx < side && ty >= 0 && ty < side)
                {
                    image[ty * side + tx] = (byte)Math.Clamp(MathF.Round(digit.Pixels[y * digit.Width + x]), 0, 255);
                }
            }
        }
        return image;
    }
}
