namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A fact that needs a private mount namespace (<c>unshare --mount</c>, as root) to hide folders from a process; where
/// that is not possible the test is skipped with the reason.
/// </summary>
public sealed class MountNamespaceFactAttribute : FactAttribute
{
    public MountNamespaceFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/unshare"))
        {
            Skip = "hiding folders in a mount namespace needs Linux, root and unshare (util-linux)";
        }
    }
}
