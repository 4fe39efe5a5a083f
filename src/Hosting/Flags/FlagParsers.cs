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

    /// <summary>The name a flag value or a recorded option uses for <paramref name="value"/>: snake_case.</summary>
    public static string EnumName(Enum value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
