using System.Globalization;
using CnnDistributed.Hosting;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>A comma list of batch sizes, as <c>bench --batch-size 16,64,256</c> takes them.</summary>
public static class BatchSizes
{
    /// <summary>
    /// The sizes in <paramref name="text"/>, or the error naming the first entry that is not a whole number.
    /// </summary>
    public static IReadOnlyList<int> Parse(string text, out string? error)
    {
        var sizes = new List<int>();
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(entry, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size))
            {
                error = $"--batch-size must be whole numbers, one or a comma list (got '{entry}')";
                return [];
            }
            sizes.Add(size);
        }
        error = sizes.Select(b => OptionChecks.AtLeast("--batch-size", b, 1)).FirstOrDefault(e => e is not null);
        return sizes;
    }
}
