using System.Runtime.InteropServices;

namespace CnnDistributed.Core.Data;

/// <summary>
/// The rule for every file <c>cnnd</c> reads from the user (weights, checkpoints, IDX data): it must be a regular
/// file, or a link to one. A named pipe, a device such as /dev/zero, a socket or a folder is refused by name before
/// it is opened, so that nothing waits for a writer or reads without end.
/// </summary>
public static partial class RegularFile
{
    private const int TypeMask = 0xF000;
    private const int Regular = 0x8000;

    /// <summary>
    /// Throws <see cref="DataFormatException"/> when <paramref name="path"/> exists and is not a regular file; a
    /// path that cannot be examined (missing, no permission) is left to the reader, which reports it when opening.
    /// </summary>
    public static void Require(string path)
    {
        if (OperatingSystem.IsWindows() || Stat(path, out var status) != 0)
        {
            return;
        }
        var type = status.Mode & TypeMask;
        if (type != Regular)
        {
            throw new DataFormatException(path, $"not a regular file ({Describe(type)})");
        }
    }

    private static string Describe(int type) => type switch
    {
        0x1000 => "a named pipe",
        0x2000 => "a character device",
        0x4000 => "a folder",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => $"file type 0x{type:X4}",
    };

    /// <summary>
    /// stat(2) through the .NET runtime's own native shim, which every .NET process on Unix loads; its result
    /// holds st_mode after an int of flags, and is smaller than the space reserved here.
    /// </summary>
    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, out FileStatus status);

    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct FileStatus
    {
        [FieldOffset(sizeof(int))]
        public int Mode;
    }
}
