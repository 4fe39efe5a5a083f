using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace CnnDistributed.Hosting;

/// <summary>
/// What every host of ours is built with (the coordinator, its dashboard, the health endpoint, the worker). The .NET
/// defaults reload <c>appsettings.json</c> when it changes, through a watcher on the working directory and every folder
/// below it: on Linux one inotify watch per folder, so a <c>cnnd</c> started in a home directory or a container's root
/// walks the whole tree at start and can exhaust <c>fs.inotify.max_user_watches</c>. No setting of ours comes from a
/// file that changes during a run, so nothing is watched.
/// </summary>
public static class HostSettings
{
    private const string NoReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>For <c>WebApplication.CreateSlimBuilder</c>.</summary>
    public static WebApplicationOptions Web => new() { Args = [NoReload] };

    /// <summary>For <c>Host.CreateApplicationBuilder</c>.</summary>
    public static HostApplicationBuilderSettings Generic => new() { Args = [NoReload] };
}
