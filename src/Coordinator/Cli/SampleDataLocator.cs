namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// Finds the bundled sample <c>data/mnist-sample</c>: below the current directory, else beside CnnDistributed.sln above
/// the binaries.
/// </summary>
public static class SampleDataLocator
{
    /// <summary>The sample's folder relative to the current directory or to the folder of CnnDistributed.sln.</summary>
    public const string RelativePath = "data/mnist-sample";
    private const string SolutionFile = "CnnDistributed.sln";

    public static string Find()
    {
        if (Directory.Exists(RelativePath))
        {
            return RelativePath;
        }
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory);
            directory is not null;
            directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return Path.Combine(directory.FullName, RelativePath);
            }
        }
        return RelativePath;
    }
}
