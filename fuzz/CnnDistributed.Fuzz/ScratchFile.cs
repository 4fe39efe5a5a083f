namespace CnnDistributed.Fuzz;

/// <summary>
/// The file through which an input reaches a parser that reads from a path: one per process and file name suffix,
/// overwritten by every input.
/// </summary>
internal static class ScratchFile
{
    public static string Write(byte[] input, string suffix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cnnd-fuzz-{Environment.ProcessId}{suffix}");
        File.WriteAllBytes(path, input);
        return path;
    }
}
