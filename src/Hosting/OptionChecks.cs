using System.Globalization;
using System.Numerics;

namespace CnnDistributed.Hosting;

/// <summary>
/// Range checks shared by the commands; each returns the error text (naming the flag) or null when the value is fine.
/// </summary>
public static class OptionChecks
{
    /// <summary>The most shards a minibatch may be split into.</summary>
    public const int MaxShards = 1024;

    public static string? AtLeast(string flag, long value, long minimum) =>
        value >= minimum ? null : $"{flag} must be at least {minimum} (got {value})";

    public static string? Between(string flag, long value, long minimum, long maximum) =>
        value < minimum ? AtLeast(flag, value, minimum)
        : value > maximum ? $"{flag} must be at most {maximum} (got {value})"
        : null;

    public static string? Positive(string flag, double value) =>
        double.IsFinite(value) && value > 0
            ? null
            : $"{flag} must be a finite number greater than 0 (got {Format(value)})";

    public static string? NonNegative(string flag, double value) =>
        double.IsFinite(value) && value >= 0
            ? null
            : $"{flag} must be a finite number of at least 0 (got {Format(value)})";

    public static string? Fraction(string flag, double value) =>
        double.IsFinite(value) && value >= 0 && value < 1
            ? null
            : $"{flag} must be at least 0 and less than 1 (got {Format(value)})";

    public static string? PowerOfTwo(string flag, int value) =>
        value >= 1 && value <= MaxShards && BitOperations.IsPow2(value)
            ? null
            : $"{flag} must be a power of two from 1 to {MaxShards} (got {value})";

    public static string? OneOf(string flag, string value, IReadOnlyCollection<string> allowed) =>
        allowed.Contains(value) ? null : $"{flag} must be one of {string.Join(", ", allowed)} (got '{value}')";

    /// <summary>The first error among <paramref name="checks"/>, or null.</summary>
    public static string? First(params string?[] checks) => checks.FirstOrDefault(c => c is not null);

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
