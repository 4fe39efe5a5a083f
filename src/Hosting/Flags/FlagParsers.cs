using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;

namespace CnnDistributed.Hosting.Flags;

/// <summary>
/// Parsers for flag values whose errors must name the flag in the project's words (docs/commands.md).
/// </summary>
public static class FlagParsers
{
    /// <summary>
    /// An enum flag: the snake_case names of the members, e.g. <c>constant</c>, <c>step</c>, <c>cosine</c>.
    /// </summary>
    public static Func<ArgumentResult, TEnum> OneOf<TEnum>(string flag) where TEnum : struct, Enum => result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (EnumName(value) == text)
            {
                return value;
            }
        }
        result.AddError(OptionChecks.OneOf(flag, text, Enum.GetValues<TEnum>().Select(v => EnumName(v)).ToArray())!);
        return default;
    };

    /// <summary>A duration given in seconds, a finite number of at least 0.</summary>
    public static Func<ArgumentResult, TimeSpan> Seconds(string flag) => result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            result.AddError($"{flag} must be a number of seconds (got '{text}')");
            return default;
        }
        if (OptionChecks.NonNegative(flag, seconds) is { } error)
        {
            result.AddError(error);
            return default;
        }
        return TimeSpan.FromSeconds(seconds);
    };

    /// <summary>
    /// A whole number that may be left out (<c>--dashboard</c> alone, <c>--dashboard 0</c>, <c>--dashboard=8080</c>):
    /// <paramref name="alone"/> when it is.
    /// </summary>
    public static Func<ArgumentResult, int?> OptionalValue(string flag, int alone) => result =>
    {
        if (result.Tokens.Count == 0)
        {
            return alone;
        }
        var text = result.Tokens[0].Value;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{flag} must be a whole number (got '{text}')");
            return default;
        }
        return value;
    };

    /// <summary>The name a flag value or a recorded option uses for <paramref name="value"/>: snake_case.</summary>
    public static string EnumName(Enum value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
