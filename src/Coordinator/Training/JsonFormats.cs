using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace CnnDistributed.Coordinator.Training;

/// <summary>How every JSON output is written: snake_case names, NaN and infinities as named literals rather than a crash.</summary>
public static class JsonFormats
{
    public static JsonSerializerOptions Line { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static JsonSerializerOptions Indented { get; } = new(Line) { WriteIndented = true };

    /// <summary>One JSON line: <paramref name="value"/>'s fields preceded by <c>"type": <paramref name="type"/></c>.</summary>
    public static string TypedLine<T>(string type, T value)
    {
        var node = JsonSerializer.SerializeToNode(value, Line)?.AsObject() ?? [];
        node.Insert(0, "type", JsonValue.Create(type));
        return node.ToJsonString(Line);
    }
}
