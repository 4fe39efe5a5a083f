using System.Text.RegularExpressions;
using System.Xml.Linq;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Architecture;

/// <summary>
/// The layout rules of the repository (docs/architecture.md) that the compiler does not check: which project may
/// reference which, where the contract lives, what comments may say, and how long a line may be.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class SourceLayoutTests
{
    private const int MaxLineLength = 120;

    [Theory]
    [InlineData("src/Coordinator/Coordinator.csproj", "Worker/Worker.csproj")]
    [InlineData("src/Worker/Worker.csproj", "Coordinator/Coordinator.csproj")]
    [InlineData("src/Protocol/Protocol.csproj", "Worker.Runtime/Worker.Runtime.csproj")]
    [InlineData("src/Core/Core.csproj", "Protocol/Protocol.csproj")]
    public void AProjectDoesNotReferenceTheOneItMustNot(string project, string forbidden) =>
        Assert.DoesNotContain(ProjectReferences(project), reference => reference.EndsWith(forbidden, StringComparison.Ordinal));

    [Theory]
    [InlineData("src/Coordinator/Coordinator.csproj")]
    [InlineData("src/Worker/Worker.csproj")]
    public void BothExecutablesTakeTheWireFromTheProtocolProject(string project)
    {
        Assert.Contains(ProjectReferences(project), reference => reference.EndsWith("Protocol/Protocol.csproj", StringComparison.Ordinal));
        var protobufItems = XDocument.Load(Path.Combine(RepositoryPaths.Root, project)).Descendants("Protobuf");
        Assert.Empty(protobufItems);
    }

    [Fact]
    public void NoSourceCitesTheContractOutsideTheRepository()
    {
        var citations = SourceLines("src").Where(line => line.Text.Contains("CONTRACT", StringComparison.Ordinal));
        Assert.Empty(citations.Select(line => line.ToString()));
    }

    /// <summary>Figures go stale in comments: they belong in benchmark output and docs, where they can be re-measured.</summary>
    [Fact]
    public void NoCommentUnderSrcCarriesAMeasuredFigure()
    {
        var figures = SourceLines("src").Where(line => Comment(line.Text) is { } comment && MeasuredFigure().IsMatch(comment));
        Assert.Empty(figures.Select(line => line.ToString()));
    }

    [Fact]
    public void NoLineUnderSrcIsLongerThanTheLimitOutsideTheExemptKernels()
    {
        var exempt = ExemptFromLineLength();
        var tooLong = SourceLines("src")
            .Where(line => line.Text.Length > MaxLineLength && !exempt.Any(pattern => pattern.IsMatch(line.Path)));
        Assert.Empty(tooLong.Select(line => $"{line.Path}:{line.Number} ({line.Text.Length} characters)"));
    }

    [Fact]
    public void TheLineLimitHereIsTheOneInEditorConfig()
    {
        var editorConfig = File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".editorconfig"));
        Assert.Contains($"max_line_length = {MaxLineLength}", editorConfig);
    }

    [Fact]
    public void HandWrittenReadersTakeFieldNumbersFromTheGeneratedCode()
    {
        var literal = SourceLines("src/Protocol").Where(line => LiteralFieldCase().IsMatch(line.Text));
        Assert.Empty(literal.Select(line => line.ToString()));
    }

    [Fact]
    public void BenchmarksLiveUnderBenchNotInTheProduct()
    {
        Assert.False(Directory.Exists(Path.Combine(RepositoryPaths.Root, "src", "Coordinator", "Benchmarks")));
        Assert.Contains(
            ProjectReferences("bench/CnnDistributed.Bench/CnnDistributed.Bench.csproj"),
            reference => reference.EndsWith("Coordinator/Coordinator.csproj", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> ProjectReferences(string project) =>
        [.. XDocument.Load(Path.Combine(RepositoryPaths.Root, project)).Descendants("ProjectReference")
            .Select(reference => reference.Attribute("Include")!.Value.Replace('\\', '/'))];

    private static IEnumerable<SourceLine> SourceLines(string folder)
    {
        var root = Path.Combine(RepositoryPaths.Root, folder);
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryPaths.Root, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }
            var number = 0;
            foreach (var text in File.ReadLines(file))
            {
                yield return new SourceLine(relative, ++number, text);
            }
        }
    }

    private static string? Comment(string line)
    {
        var start = line.IndexOf("//", StringComparison.Ordinal);
        return start < 0 ? null : line[start..];
    }

    /// <summary>The sections of .editorconfig that turn the line limit off, as path patterns.</summary>
    private static List<Regex> ExemptFromLineLength()
    {
        var patterns = new List<Regex>();
        string? section = null;
        foreach (var raw in File.ReadLines(Path.Combine(RepositoryPaths.Root, ".editorconfig")))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
            }
            else if (section is not null && line.Replace(" ", "", StringComparison.Ordinal) == "max_line_length=off")
            {
                patterns.Add(SectionPattern(section));
            }
        }
        return patterns;
    }

    /// <summary>An .editorconfig section glob ({a,b} alternatives, * within a folder) as a regular expression.</summary>
    private static Regex SectionPattern(string glob)
    {
        var pattern = Regex.Escape(glob)
            .Replace(@"\{", "(", StringComparison.Ordinal)
            .Replace(@"}", ")", StringComparison.Ordinal)
            .Replace(",", "|", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal);
        return new Regex($"^{pattern}$");
    }

    // A number followed by %, ×, samples/s, ms or µs: a measurement, not a size or a default.
    [GeneratedRegex(@"\d\s?(%|×|k samples/s|samples/s|ms\b|µs)")]
    private static partial Regex MeasuredFigure();

    [GeneratedRegex(@"case \(\d+,")]
    private static partial Regex LiteralFieldCase();

    private sealed record SourceLine(string Path, int Number, string Text)
    {
        public override string ToString() => $"{Path}:{Number}: {Text.Trim()}";
    }
}
