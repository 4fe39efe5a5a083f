namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A fact that drives Debian's Chromium (<see cref="Path"/>, which <c>.ci/run</c> installs); where it is missing the
/// test is skipped with that reason.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Path = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Path))
        {
            Skip = $"Chromium is not installed at {Path} (apt-get install chromium; .ci/run installs it)";
        }
    }
}
