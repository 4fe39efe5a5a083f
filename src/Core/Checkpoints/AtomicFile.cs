using System.Security.Cryptography;

namespace CnnDistributed.Core.Checkpoints;

/// <summary>
/// Writes a file all-or-nothing: a temporary file beside the target, flushed to disk, then renamed over it.
/// On failure the temporary file is removed and an existing file at the target is untouched; I/O errors propagate.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Creates <paramref name="path"/> (or replaces it) with what <paramref name="write"/> writes to the stream it is
    /// given; readers of <paramref name="path"/> see either the old file or the complete new one.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temporary = $"{path}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>
    /// Atomically replaces <paramref name="path"/> with <paramref name="bytes"/>, as <see cref="Write"/> does.
    /// </summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure matters more than a leftover temporary file.
        }
    }
}
