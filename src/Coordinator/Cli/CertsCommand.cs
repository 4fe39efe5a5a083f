using System.CommandLine;
using CnnDistributed.Hosting;
using CnnDistributed.Hosting.Tls;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// <c>cnnd certs create --out DIR [--host NAME]… [--workers N] [--days D]</c>: the certificates of one run, made with
/// .NET alone (no openssl), as PEM files that <c>serve --tls DIR</c>, <c>cnnd-worker --tls DIR</c>, a Kubernetes
/// secret mounts as they are and cert-manager's files map onto (docs/security.md, "Certificates"). Keys are readable
/// by their owner only; an existing file is never overwritten.
/// </summary>
public static class CertsCommand
{
    /// <summary>The longest validity <c>--days</c> accepts: ten years.</summary>
    public const int MaxDays = 3650;

    public static Command Create(CliConsole console)
    {
        var output = new Option<string>("--out") { Description = "Folder for the certificates", Required = true };
        var hosts = new Option<string[]>("--host")
        {
            Description = "A name or address workers use to reach the coordinator; repeat for several "
                + "(localhost, 127.0.0.1 and ::1 are always included)",
            DefaultValueFactory = _ => [],
        };
        var workers = new Option<int>("--workers")
        {
            Description = "Also make worker-1 … worker-N, one certificate per worker",
            DefaultValueFactory = _ => 0,
        };
        var days = new Option<int>("--days") { Description = "Validity in days", DefaultValueFactory = _ => 365 };
        var create = new Command("create", "Make a run CA, the coordinator's certificate and worker certificates")
        {
            output, hosts, workers, days,
        };
        create.SetAction(parseResult => Run(
            console,
            parseResult.GetRequiredValue(output),
            parseResult.GetValue(hosts) ?? [],
            parseResult.GetValue(workers),
            parseResult.GetValue(days)));
        return new Command("certs", "Certificates for mutual TLS between coordinator and workers") { create };
    }

    private static int Run(CliConsole console, string directory, IReadOnlyList<string> hosts, int workers, int days)
    {
        var error = OptionChecks.First(
            directory.Length == 0 ? "--out must not be empty" : null,
            OptionChecks.Between("--workers", workers, 0, 1024),
            OptionChecks.Between("--days", days, 1, MaxDays),
            hosts.FirstOrDefault(h => !IsHostName(h)) is { } bad
                ? $"--host '{bad}' is not a host name or IP address"
                : null);
        if (error is not null)
        {
            throw new UsageException(error);
        }
        IReadOnlyList<string> written;
        try
        {
            written = TlsDirectory.Create(directory, hosts, workers, TimeSpan.FromDays(days), TimeProvider.System);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException(e.Message);
        }
        foreach (var file in written)
        {
            console.Out.WriteLine(file);
        }
        return ExitCodes.Success;
    }

    private static bool IsHostName(string host) =>
        System.Net.IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns;
}
