namespace CnnDistributed.Core.Data;

/// <summary>
/// A data, weights or checkpoint file that cannot be used; the message is one line, "&lt;file&gt;: &lt;problem&gt;".
/// </summary>
public sealed class DataFormatException : Exception
{
    internal DataFormatException(string file, string problem, Exception? innerException = null)
        : base($"{file}: {problem}", innerException)
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The path of the file (or folder) at fault, as the caller named it.</summary>
    public string File { get; }

    internal string Problem { get; }

    /// <summary>Wraps an I/O or decoding failure, keeping the cause's message on the same line.</summary>
    public static DataFormatException FromCause(string file, string problem, Exception cause) =>
        new(file, $"{problem} ({OneLine(cause.Message)})", cause);

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
