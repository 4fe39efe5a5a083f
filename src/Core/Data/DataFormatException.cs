namespace CnnDistributed.Core.Data;

/// <summary>A data, weights or checkpoint file that cannot be used; the message names the file and the problem.</summary>
public sealed class DataFormatException(string file, string problem) : Exception($"{file}: {problem}")
{
    public string File { get; } = file;

    public string Problem { get; } = problem;
}
