namespace CnnDistributed.Core.Checkpoints;

/// <summary>The eight tensors of CONTRACT §1 as a safetensors file (float32, little-endian, PyTorch names).</summary>
public static class SafetensorsFile
{
    /// <summary>Writes atomically (temporary file, then rename).</summary>
    public static void Write(string path, ReadOnlySpan<float> parameters) => throw new NotImplementedException();

    /// <summary>Reads and checks names, dtypes, shapes and offsets; throws <see cref="Data.DataFormatException"/> naming the file.</summary>
    public static float[] Read(string path) => throw new NotImplementedException();
}
