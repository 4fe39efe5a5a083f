namespace CnnDistributed.Tests.Infrastructure;

/// <summary>Locations inside the repository, found by walking up from the test binaries to CnnDistributed.sln.</summary>
public static class RepositoryPaths
{
    private const string SolutionFile = "CnnDistributed.sln";

    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    /// <summary>The bundled MNIST sample (7,996 train / 2,004 test images).</summary>
    public static string SampleData => Path.Combine(Root, "data", "mnist-sample");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no {SolutionFile} above {AppContext.BaseDirectory}");
    }
}
