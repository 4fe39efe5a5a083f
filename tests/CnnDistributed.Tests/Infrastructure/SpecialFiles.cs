using System.Diagnostics;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>Paths that are not regular files, for the readers that must refuse them without blocking.</summary>
public static class SpecialFiles
{
    /// <summary>A character device that yields zero bytes for ever.</summary>
    public const string Zeros = "/dev/zero";

    /// <summary>Creates a named pipe at <paramref name="path"/> (mkfifo); opening it to read waits for a writer.</summary>
    public static string Fifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>
    /// Runs <paramref name="read"/> and fails unless it returns or throws within 10 s; a reader stuck opening
    /// <paramref name="fifo"/> is released by opening its other end.
    /// </summary>
    public static T Within<T>(Func<T> read, string? fifo = null)
    {
        var task = Task.Run(read);
        if (!task.Wait(TimeSpan.FromSeconds(10)) && fifo is not null)
        {
            using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            Assert.Fail($"reading blocked on the named pipe {fifo}");
        }
        return task.GetAwaiter().GetResult();
    }
}
