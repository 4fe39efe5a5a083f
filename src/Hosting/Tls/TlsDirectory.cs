using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CnnDistributed.Hosting.Tls;

/// <summary>
/// The certificate folder of a run (<c>--tls DIR</c>, made by <c>cnnd certs create</c>): PEM files that a Kubernetes
/// secret provides as they are (cert-manager's tls.crt/tls.key are mapped onto these names, docs/security.md).
/// <c>ca.crt</c> and <c>ca.key</c>, <c>coordinator.crt/.key</c>, <c>worker.crt/.key</c> and optionally
/// <c>worker-1.crt/.key</c> … per worker.
/// </summary>
public static class TlsDirectory
{
    /// <summary>The name of the CA's files (ca.crt, ca.key).</summary>
    public const string Authority = "ca";

    /// <summary>The name of the coordinator's files (coordinator.crt, coordinator.key).</summary>
    public const string Coordinator = "coordinator";

    /// <summary>The certificate file of <paramref name="name"/> in <paramref name="directory"/>.</summary>
    public static string CertificatePath(string directory, string name) => Path.Combine(directory, name + ".crt");

    /// <summary>The private key file of <paramref name="name"/> in <paramref name="directory"/>.</summary>
    public static string KeyPath(string directory, string name) => Path.Combine(directory, name + ".key");

    /// <summary>
    /// Creates a run's certificates in <paramref name="directory"/>: the CA, the coordinator's (for every name in
    /// <paramref name="hosts"/> and loopback), the shared worker certificate and <paramref name="workers"/> numbered
    /// ones.
    /// Keys are written readable by their owner only. Nothing is written when any of the files exists already.
    /// </summary>
    /// <returns>The files written.</returns>
    /// <exception cref="IOException">A file exists already; its path is the message.</exception>
    public static IReadOnlyList<string> Create(
        string directory, IReadOnlyList<string> hosts, int workers, TimeSpan validity, TimeProvider clock)
    {
        IReadOnlyList<string> names =
        [
            Authority,
            Coordinator,
            RunCertificateAuthority.SharedWorkerName,
            .. Enumerable.Range(1, workers).Select(i => $"worker-{i}"),
        ];
        var files = names.SelectMany(name => new[] { CertificatePath(directory, name), KeyPath(directory, name) })
            .ToList();
        if (files.FirstOrDefault(File.Exists) is { } existing)
        {
            throw new IOException($"{existing}: exists already; certificates are never overwritten");
        }
        Directory.CreateDirectory(directory);
        using var authority = RunCertificateAuthority.Create(validity, clock);
        Write(directory, Authority, authority.Certificate);
        using (var coordinator = authority.IssueCoordinator(hosts, validity))
        {
            Write(directory, Coordinator, coordinator);
        }
        foreach (var name in names.Skip(2))
        {
            using var worker = authority.IssueWorker(name, validity);
            Write(directory, name, worker);
        }
        return files;
    }

    /// <summary>The CA certificate of the folder, without its key.</summary>
    public static X509Certificate2 LoadAuthority(string directory)
    {
        var path = CertificatePath(directory, Authority);
        return Load(path, () =>
        {
            var pem = File.ReadAllText(path);
            var found = PemEncoding.Find(pem);
            if (pem[found.Label] != "CERTIFICATE")
            {
                throw new InvalidDataException($"{path}: not a PEM certificate");
            }
            return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(pem[found.Base64Data]));
        });
    }

    /// <summary>The certificate <paramref name="name"/> with its private key, e.g. coordinator or worker-3.</summary>
    public static X509Certificate2 LoadIdentity(string directory, string name) =>
        Load(
            CertificatePath(directory, name),
            () => X509Certificate2.CreateFromPemFile(CertificatePath(directory, name), KeyPath(directory, name)));

    private static X509Certificate2 Load(string path, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException
            or ArgumentException or FormatException)
        {
            throw new InvalidDataException(e is FileNotFoundException or DirectoryNotFoundException
                ? $"{path}: missing"
                : $"{path}: not a PEM certificate with its key ({e.GetType().Name})");
        }
    }

    private static void Write(string directory, string name, X509Certificate2 certificate)
    {
        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        WriteNew(
            CertificatePath(directory, name),
            certificate.ExportCertificatePem() + "\n",
            owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var key = certificate.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException($"{name} has no ECDSA private key");
        WriteNew(KeyPath(directory, name), key.ExportPkcs8PrivateKeyPem() + "\n", owner);
    }

    private static void WriteNew(string path, string text, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }
        using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        writer.Write(text);
    }
}
