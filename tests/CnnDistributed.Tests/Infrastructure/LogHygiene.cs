using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// What must never reach a log, a worker's output or a status sent to a peer: private key material (a PEM label, a
/// run of a key file's base64, the key's secret scalar), stack traces and exception type names.
/// </summary>
public static partial class LogHygiene
{
    /// <summary>The shortest run of a key's base64 that counts as leaked key material.</summary>
    private const int KeyRunLength = 24;

    /// <summary>
    /// Fails with every line of <paramref name="output"/> that breaks the rules, each with the rule it breaks; the
    /// keys are those of every <c>*.key</c> file in <paramref name="certificateFolders"/>.
    /// </summary>
    public static void AssertClean(IEnumerable<string> output, params string[] certificateFolders)
    {
        var secrets = certificateFolders.SelectMany(folder => Directory.GetFiles(folder, "*.key"))
            .SelectMany(KeyMaterial)
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(secrets);
        var lines = output.SelectMany(text => text.Split('\n'));
        var problems = lines.Select(line => Problem(line, secrets) is { } problem ? $"{problem}: {line}" : null)
            .OfType<string>()
            .ToList();
        Assert.True(problems.Count == 0, string.Join('\n', ["Printed where it must not be:", .. problems]));
    }

    private static string? Problem(string line, HashSet<string> secrets)
    {
        if (line.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return "a PEM private key label";
        }
        if (line.Contains("   at ", StringComparison.Ordinal))
        {
            return "a stack trace";
        }
        if (ExceptionTypeName().IsMatch(line))
        {
            return "an exception type name";
        }
        for (var start = 0; start + KeyRunLength <= line.Length; start++)
        {
            if (secrets.Contains(line.Substring(start, KeyRunLength)))
            {
                return "key material";
            }
        }
        return null;
    }

    /// <summary>Every run of <see cref="KeyRunLength"/> characters of the key's PEM base64, and of its secret
    /// scalar in base64 and hex.</summary>
    private static IEnumerable<string> KeyMaterial(string keyFile)
    {
        var pem = File.ReadAllText(keyFile);
        var body = string.Concat(pem[PemEncoding.Find(pem).Base64Data].Where(c => !char.IsWhiteSpace(c)));
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        var scalar = key.ExportParameters(true).D!;
        foreach (var text in new[] { body, Convert.ToBase64String(scalar), Convert.ToHexString(scalar),
            Convert.ToHexStringLower(scalar) })
        {
            for (var start = 0; start + KeyRunLength <= text.Length; start++)
            {
                yield return text.Substring(start, KeyRunLength);
            }
        }
    }

    [GeneratedRegex(@"\b\w*Exception\b")]
    private static partial Regex ExceptionTypeName();
}
