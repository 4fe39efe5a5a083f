using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace CnnDistributed.Coordinator.Runs;

/// <summary>How every JSON output is written, the same way for every file and line.</summary>
public static class JsonFormats
{
    /// <summary>
    /// One line of JSON: snake_case names and enum values, durations in seconds, NaN and infinities as named literals.
    /// </summary>
    public static JsonSerializerOptions Line { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new SecondsConverter() },
    };

    public static JsonSerializerOptions Indented { get; } = new(Line) { WriteIndented = true };

    /// <summary>
    /// One JSON line: <paramref name="value"/>'s fields preceded by <c>"type": <paramref name="type"/></c>.
    /// </summary>
    public static string TypedLine<T>(string type, T value)
    {
        var node = JsonSerializer.SerializeToNode(value, Line)?.AsObject() ?? [];
        node.Insert(0, "type", JsonValue.Create(type));
        return node.ToJsonString(Line);
    }

    /// <summary>A duration as a number of seconds, as the flags that set durations take them.</summary>
    private sealed class SecondsConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TimeSpan.FromSeconds(reader.GetDouble());

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value.TotalSeconds);
    }
}
