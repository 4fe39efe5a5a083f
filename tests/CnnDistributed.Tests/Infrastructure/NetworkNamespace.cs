using System.ComponentModel;
using System.Diagnostics;
using System.Net;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A Linux network namespace joined to this one by a veth pair on a private /30 (10.231.X.Y): the host end has
/// <see cref="HostAddress"/>, the namespace end <see cref="NamespaceAddress"/>, and nothing else is routed, so a process
/// started with <see cref="Command"/> reaches this machine only over the veth. Setting the host end down
/// (<see cref="Partition"/>) cuts it off without ending its connections; <see cref="Heal"/> restores the link.
/// Needs root and iproute2; <see cref="UnavailableReason"/> says why it cannot be used here. Disposing deletes the
/// namespace and the veth pair.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private const string Subnet = "10.231";
    private static readonly Lazy<string?> Probe = new(ProbeUnavailableReason);
    private static readonly Lock Allocation = new();

    private readonly string _hostLink;
    private readonly string _namespaceLink;
    private bool _created;

    private NetworkNamespace(string id, (IPAddress Host, IPAddress Namespace) addresses)
    {
        Name = $"cnnd-{id}";
        _hostLink = $"cnh{id}";
        _namespaceLink = $"cnn{id}";
        HostAddress = addresses.Host;
        NamespaceAddress = addresses.Namespace;
    }

    /// <summary>Why namespaces cannot be created here (not Linux, not root, no <c>ip</c>, or creation failed), or null when they can.</summary>
    public static string? UnavailableReason => Probe.Value;

    public string Name { get; }

    public IPAddress HostAddress { get; }

    public IPAddress NamespaceAddress { get; }

    /// <summary>Creates the namespace, the veth pair and the addresses, on a /30 no other interface here uses.</summary>
    public static NetworkNamespace Create()
    {
        lock (Allocation)
        {
            var network = new NetworkNamespace(Guid.NewGuid().ToString("N")[..8], FreeSubnet());
            try
            {
                network.Build();
                return network;
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }
    }

    /// <summary><c>ip netns exec</c> arguments that run <paramref name="program"/> inside the namespace.</summary>
    public IReadOnlyList<string> Command(string program) => ["netns", "exec", Name, program];

    /// <summary>The URL of <paramref name="address"/>'s port on the host end, as a process in the namespace reaches it.</summary>
    public Uri HostUrl(Uri address) => new UriBuilder(address) { Host = HostAddress.ToString() }.Uri;

    /// <summary>Cuts the namespace off: the host end of the veth goes down; open connections stay open but carry nothing.</summary>
    public void Partition() => Ip("link", "set", _hostLink, "down");

    /// <summary>Brings the host end of the veth back up.</summary>
    public void Heal() => Ip("link", "set", _hostLink, "up");

    public void Dispose()
    {
        if (!_created)
        {
            return;
        }
        _created = false;
        TryIp("link", "del", _hostLink);
        TryIp("netns", "del", Name);
    }

    /// <summary>A random 10.231.X.Y/30 whose host address no interface here has: (.Y+1, .Y+2).</summary>
    private static (IPAddress Host, IPAddress Namespace) FreeSubnet()
    {
        var used = Ip("-o", "-4", "addr", "show");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var (x, y) = (Random.Shared.Next(256), Random.Shared.Next(64) * 4);
            if (!used.Contains($" {Subnet}.{x}.{y + 1}/", StringComparison.Ordinal))
            {
                return (IPAddress.Parse($"{Subnet}.{x}.{y + 1}"), IPAddress.Parse($"{Subnet}.{x}.{y + 2}"));
            }
        }
        throw new InvalidOperationException($"no free /30 left in {Subnet}.0.0/16");
    }

    /// <summary>Runs <c>ip</c> with <paramref name="arguments"/>; its stdout, or an exception with its stderr when it fails.</summary>
    private static string Ip(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = RunIp(arguments);
        return exitCode == 0 ? stdout : throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({exitCode}): {stderr.Trim()}");
    }

    private void Build()
    {
        Ip("netns", "add", Name);
        _created = true;
        Ip("link", "add", _hostLink, "type", "veth", "peer", "name", _namespaceLink);
        Ip("link", "set", _namespaceLink, "netns", Name);
        Ip("addr", "add", $"{HostAddress}/30", "dev", _hostLink);
        Ip("link", "set", _hostLink, "up");
        Ip("-n", Name, "addr", "add", $"{NamespaceAddress}/30", "dev", _namespaceLink);
        Ip("-n", Name, "link", "set", _namespaceLink, "up");
        Ip("-n", Name, "link", "set", "lo", "up");
    }

    private static void TryIp(params string[] arguments) => RunIp(arguments);

    private static (int ExitCode, string Stdout, string Stderr) RunIp(string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ip did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    private static string? ProbeUnavailableReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }
        if (!Environment.IsPrivilegedProcess)
        {
            return "network namespaces need root";
        }
        try
        {
            using var probe = Create();
            return null;
        }
        catch (Win32Exception e)
        {
            return $"network namespaces need iproute2 ('ip'): {e.Message}";
        }
        catch (InvalidOperationException e)
        {
            return $"cannot create a network namespace here: {e.Message}";
        }
    }
}
