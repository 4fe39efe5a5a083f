using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CnnDistributed.Hosting.Tls;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Security;

/// <summary>
/// <c>cnnd certs create</c>: the run's PEM files with keys readable by their owner only, a coordinator certificate
/// for the --host names and loopback, one client certificate per --workers, never overwriting and refusing bad input
/// with exit code 2; what it writes loads with <see cref="TlsDirectory"/> and passes the peers' checks for its role.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CertsCreateCommandTests
{
    private static readonly string[] RunNames = ["ca", "coordinator", "worker", "worker-1", "worker-2"];

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void CertsCreateWritesEveryFileOnceWithKeysReadableByTheirOwnerOnly()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("tls");

        var result = CliRunner.Run("certs", "create", "--out", folder, "--workers", "2");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var expected = RunNames.SelectMany(name => new[] { $"{name}.crt", $"{name}.key" }).Order().ToList();
        Assert.Equal(expected, Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.Equal(expected.Select(name => Path.Combine(folder, name)), result.StdoutLines.Order());
        Assert.All(Directory.GetFiles(folder, "*.key"), key => Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key)));
        Assert.All(Directory.GetFiles(folder, "*.crt"), certificate => Assert.Equal(
            UnixFileMode.None,
            File.GetUnixFileMode(certificate) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)));
    }

    [Fact]
    public void CoordinatorCertificateNamesTheHostsAndLoopbackAndServesOnlyAsAServer()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("tls");

        var result = CliRunner.Run(
            "certs", "create", "--out", folder, "--host", "coordinator.example", "--host", "10.1.2.3");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var coordinator = TlsDirectory.LoadIdentity(folder, TlsDirectory.Coordinator);
        var names = new X509SubjectAlternativeNameExtension(coordinator.Extensions["2.5.29.17"]!.RawData);
        Assert.Equal(["coordinator.example", "localhost"], names.EnumerateDnsNames().Order());
        Assert.Equal(
            ["10.1.2.3", "127.0.0.1", "::1"],
            names.EnumerateIPAddresses().Select(address => address.ToString()).Order());
        Assert.Equal([Oids.ServerAuthentication], Usages(coordinator));
    }

    [Fact]
    public void WorkersOptionMakesNumberedClientCertificates()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("tls");

        var result = CliRunner.Run("certs", "create", "--out", folder, "--workers", "2");

        Assert.True(result.ExitCode == 0, result.Stderr);
        foreach (var name in new[] { "worker", "worker-1", "worker-2" })
        {
            using var worker = TlsDirectory.LoadIdentity(folder, name);
            Assert.Equal(name, worker.GetNameInfo(X509NameType.SimpleName, false));
            Assert.Equal([Oids.ClientAuthentication], Usages(worker));
        }
        Assert.False(File.Exists(TlsDirectory.CertificatePath(folder, "worker-3")));
    }

    [Fact]
    public void CertificatesPassThePeersChecksForTheirRoleOnly()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("tls");
        Assert.Equal(0, CliRunner.Run("certs", "create", "--out", folder, "--host", "coordinator.example").ExitCode);
        using var authority = TlsDirectory.LoadAuthority(folder);
        using var coordinator = TlsDirectory.LoadIdentity(folder, TlsDirectory.Coordinator);
        using var worker = TlsDirectory.LoadIdentity(folder, RunCertificateAuthority.SharedWorkerName);
        var asWorkers = new PeerCertificateValidator(authority, Oids.ClientAuthentication, TimeProvider.System);
        var asCoordinator = new PeerCertificateValidator(authority, Oids.ServerAuthentication, TimeProvider.System);

        Assert.Null(asWorkers.Refusal(worker));
        Assert.Null(asCoordinator.Refusal(coordinator, "coordinator.example"));
        Assert.Null(asCoordinator.Refusal(coordinator, "127.0.0.1"));
        Assert.Equal("certificate 'coordinator' is not a client certificate", asWorkers.Refusal(coordinator));
        Assert.Equal("certificate 'worker' is not a server certificate", asCoordinator.Refusal(worker, "localhost"));
        Assert.Equal(
            "certificate 'coordinator' does not name elsewhere.example",
            asCoordinator.Refusal(coordinator, "elsewhere.example"));
    }

    [Fact]
    public void RerunRefusesWithExitTwoNamingTheExistingFileAndChangesNothing()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("tls");
        Assert.Equal(0, CliRunner.Run("certs", "create", "--out", folder).ExitCode);
        var before = Contents(folder);

        var rerun = CliRunner.Run("certs", "create", "--out", folder, "--workers", "2");

        Assert.Equal(2, rerun.ExitCode);
        var line = Assert.Single(rerun.StderrLines);
        Assert.Equal(
            $"error: {TlsDirectory.CertificatePath(folder, TlsDirectory.Authority)}: exists already; "
                + "certificates are never overwritten",
            line);
        Assert.Equal(before, Contents(folder));
    }

    [Theory]
    [InlineData("bad host")]
    [InlineData("coordinator:5000")]
    public void HostThatIsNoNameOrAddressExitsWithTwoNamingItAndWritesNothing(string host)
    {
        using var temp = new TempDirectory();
        var folder = temp.File("tls");

        var result = CliRunner.Run("certs", "create", "--out", folder, "--host", host);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Equal($"error: --host '{host}' is not a host name or IP address", line);
        Assert.False(Directory.Exists(folder));
    }

    private static IReadOnlyList<string> Usages(X509Certificate2 certificate) =>
        [.. certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<Oid>()
            .Select(oid => oid.Value!)];

    private static IReadOnlyDictionary<string, string> Contents(string folder) =>
        Directory.GetFiles(folder).ToDictionary(
            path => path, path => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
}
