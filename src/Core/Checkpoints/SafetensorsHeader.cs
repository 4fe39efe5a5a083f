using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Checkpoints;

/// <summary>
/// The JSON header of a safetensors file holding the eight tensors of <see cref="ModelShape.Tensors"/>.
/// </summary>
internal static class SafetensorsHeader
{
    public const string MetadataKey = "__metadata__";
    public const string Float32 = "F32";

    /// <summary>
    /// The header for the tensors stored contiguously in the order of docs/model.md, padded with spaces so that the
    /// data (after the 8-byte length field) starts on an 8-byte boundary, as the Python safetensors library does.
    /// </summary>
    public static byte[] Build()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            json.WriteString("format", "pt");
            json.WriteEndObject();
            foreach (var tensor in ModelShape.Tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", Float32);
                json.WriteStartArray("shape");
                foreach (var dimension in tensor.Shape)
                {
                    json.WriteNumberValue(dimension);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue((long)tensor.Offset * sizeof(float));
                json.WriteNumberValue((long)(tensor.Offset + tensor.Length) * sizeof(float));
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var header = new byte[(buffer.WrittenCount + 7) / 8 * 8];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    /// <summary>
    /// Checks the header of <paramref name="path"/> and returns, for each tensor in the order of docs/model.md, the
    /// offset of its bytes within the data section of <paramref name="dataLength"/> bytes.
    /// </summary>
    public static long[] Parse(string path, byte[] header, long dataLength)
    {
        // JsonDocument checks UTF-8 only when a name or string is read, and then throws InvalidOperationException.
        if (!Utf8.IsValid(header))
        {
            throw new DataFormatException(path, "header is not valid UTF-8");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw DataFormatException.FromCause(path, "header is not valid JSON", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException(path, "header is not a JSON object");
            }
            var begins = new long?[ModelShape.Tensors.Count];
            var unexpected = new List<string>();
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    continue;
                }
                var index = IndexOf(property.Name);
                if (index < 0)
                {
                    unexpected.Add(JsonSerializer.Serialize(property.Name));
                    continue;
                }
                if (begins[index] is not null)
                {
                    throw new DataFormatException(path, $"tensor {property.Name} appears twice");
                }
                begins[index] = ParseTensor(path, ModelShape.Tensors[index], property.Value, dataLength);
            }
            if (unexpected.Count > 0)
            {
                throw new DataFormatException(path, $"unexpected tensors {string.Join(", ", unexpected)}");
            }
            var missing = ModelShape.Tensors.Where((_, i) => begins[i] is null).Select(t => t.Name).ToList();
            if (missing.Count > 0)
            {
                throw new DataFormatException(path, $"missing tensors {string.Join(", ", missing)}");
            }
            var offsets = begins.Select(b => b.GetValueOrDefault()).ToArray();
            CheckLayout(path, offsets, dataLength);
            return offsets;
        }
    }

    /// <summary>
    /// As the safetensors format requires, the tensors' byte ranges must tile the data section: no two overlap, and
    /// no byte before, between or after them belongs to none.
    /// </summary>
    private static void CheckLayout(string path, long[] begins, long dataLength)
    {
        long covered = 0;
        TensorSpec? previous = null;
        foreach (var index in Enumerable.Range(0, begins.Length).OrderBy(i => begins[i]))
        {
            var tensor = ModelShape.Tensors[index];
            var (begin, end) = (begins[index], begins[index] + (long)tensor.Length * sizeof(float));
            if (begin < covered)
            {
                throw new DataFormatException(
                    path, $"tensor {tensor.Name}: data_offsets [{begin},{end}] overlap tensor {previous!.Name}");
            }
            if (begin > covered)
            {
                throw new DataFormatException(
                    path, $"tensor {tensor.Name}: data_offsets [{begin},{end}] leave bytes {covered}-{begin - 1} "
                    + "of the data section unused (the format forbids gaps)");
            }
            covered = end;
            previous = tensor;
        }
        if (covered != dataLength)
        {
            throw new DataFormatException(
                path, $"bytes {covered}-{dataLength - 1} of the data section follow tensor {previous!.Name} "
                + "and belong to no tensor (the format forbids gaps)");
        }
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < ModelShape.Tensors.Count; i++)
        {
            if (ModelShape.Tensors[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }

    private static long ParseTensor(string path, TensorSpec tensor, JsonElement entry, long dataLength)
    {
        DataFormatException Fail(string problem) => new(path, $"tensor {tensor.Name}: {problem}");

        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Fail("entry is not a JSON object");
        }
        if (!entry.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
        {
            throw Fail("missing dtype");
        }
        if (dtype.GetString() != Float32)
        {
            throw Fail($"dtype {JsonSerializer.Serialize(dtype.GetString())} is not {Float32}");
        }
        var shape = entry.TryGetProperty("shape", out var shapeElement) ? Integers(shapeElement) : null;
        if (shape is null)
        {
            throw Fail("shape is not an array of non-negative integers");
        }
        if (!shape.SequenceEqual(tensor.Shape.Select(d => (long)d)))
        {
            throw Fail(
                $"shape [{string.Join(",", shape)}] differs from the expected [{string.Join(",", tensor.Shape)}]");
        }
        var offsets = entry.TryGetProperty("data_offsets", out var offsetsElement) ? Integers(offsetsElement) : null;
        if (offsets is not { Length: 2 })
        {
            throw Fail("data_offsets is not a pair of non-negative integers");
        }
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end || end > dataLength)
        {
            throw Fail($"data_offsets [{begin},{end}] out of range (the data section has {dataLength} bytes)");
        }
        var expectedBytes = (long)tensor.Length * sizeof(float);
        if (end - begin != expectedBytes)
        {
            throw Fail($"data_offsets [{begin},{end}] cover {end - begin} bytes, expected {expectedBytes}");
        }
        return begin;
    }

    /// <summary>The array's elements if it is an array of non-negative integers, else null.</summary>
    private static long[]? Integers(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var values = new List<long>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value) || value < 0)
            {
                return null;
            }
            values.Add(value);
        }
        return [.. values];
    }
}
