using System.Text;

namespace CnnDistributed.Protocol;

/// <summary>
/// The rule for the text a worker gives about itself (its name and device kind): the coordinator refuses a
/// registration that breaks it and the worker checks its own flags against it at start.
/// </summary>
public static class PeerText
{
    /// <summary>
    /// Why <paramref name="value"/> cannot be the worker's <paramref name="what"/>, or null. Names and kinds end up in
    /// log lines and metric labels: they must be present, at most <paramref name="maxBytes"/> UTF-8 bytes, and free of
    /// control characters (a newline would forge a log line).
    /// </summary>
    public static string? Refusal(string what, string value, int maxBytes)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"a worker must give its {what}";
        }
        if (Encoding.UTF8.GetByteCount(value) > maxBytes)
        {
            return $"the worker's {what} is longer than {maxBytes} bytes";
        }
        return value.Any(char.IsControl) ? $"the worker's {what} contains control characters" : null;
    }
}
