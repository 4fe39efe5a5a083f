using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;

namespace CnnDistributed.Core.Engine.Devices;

/// <summary>
/// ILGPU P/Invokes the libraries "cuda" and "OpenCL", which .NET probes as libcuda.so and libOpenCL.so; driver
/// packages often ship only the versioned libcuda.so.1 and libOpenCL.so.1, and ILGPU then silently sees no
/// device. This resolver maps the names to the versioned files when the plain ones are missing. On WSL ILGPU
/// installs its own resolver for CUDA (and a second one would throw), so none is registered there.
/// </summary>
internal static class IlgpuNativeLibraries
{
    private static readonly Lazy<bool> Registration = new(Register);

    /// <summary>Registers the resolver once per process; returns whether ours is active.</summary>
    public static bool EnsureRegistered() => Registration.Value;

    private static bool Register()
    {
        if (!OperatingSystem.IsLinux() || IsWsl())
        {
            return false;
        }
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, Resolve);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName is not ("cuda" or "OpenCL"))
        {
            return IntPtr.Zero;
        }
        var plain = $"lib{libraryName}.so";
        return NativeLibrary.TryLoad(plain, out var handle) || NativeLibrary.TryLoad(plain + ".1", out handle)
            ? handle
            : IntPtr.Zero;
    }

    private static bool IsWsl()
    {
        try
        {
            return File.ReadAllText("/proc/version").Contains("microsoft", StringComparison.OrdinalIgnoreCase);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
