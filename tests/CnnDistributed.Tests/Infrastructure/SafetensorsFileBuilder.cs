using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// Writes safetensors files byte by byte for tests, with any header and data layout, so that readers can be
/// fed files as other tools (PyTorch, the Python safetensors package) write them, or broken ones.
/// </summary>
public static class SafetensorsFileBuilder
{
    /// <summary>A header for the model's tensors stored contiguously in <paramref name="layout"/> order.</summary>
    public static JsonObject Header(IEnumerable<TensorSpec> layout)
    {
        var header = new JsonObject();
        long begin = 0;
        foreach (var tensor in layout)
        {
            var end = begin + (long)tensor.Length * sizeof(float);
            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray([.. tensor.Shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(begin, end),
            };
            begin = end;
        }
        return header;
    }

    /// <summary>The data section for <paramref name="parameters"/> stored in <paramref name="layout"/> order.</summary>
    public static byte[] Data(ReadOnlySpan<float> parameters, IEnumerable<TensorSpec> layout)
    {
        var data = new List<byte>();
        foreach (var tensor in layout)
        {
            data.AddRange(LittleEndianFloats.ToBytes(parameters.Slice(tensor.Offset, tensor.Length)));
        }
        return [.. data];
    }

    /// <summary>Writes the 8-byte little-endian length of the UTF-8 header, the header, then <paramref name="data"/>.</summary>
    public static void Write(string path, JsonNode header, ReadOnlySpan<byte> data) =>
        Write(path, Encoding.UTF8.GetBytes(header.ToJsonString()), data);

    public static void Write(string path, ReadOnlySpan<byte> header, ReadOnlySpan<byte> data) =>
        Write(path, (ulong)header.Length, header, data);

    /// <summary>Writes an explicit (possibly false) header length, the header bytes, then the data.</summary>
    public static void Write(string path, ulong headerLength, ReadOnlySpan<byte> header, ReadOnlySpan<byte> data)
    {
        using var file = File.Create(path);
        Span<byte> lengthField = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthField, headerLength);
        file.Write(lengthField);
        file.Write(header);
        file.Write(data);
    }

    /// <summary>Deterministic parameters drawn from a seeded generator, spanning signs and magnitudes.</summary>
    public static float[] Parameters(int seed)
    {
        var random = new Random(seed);
        var parameters = new float[ModelShape.ParameterCount];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 4)));
        }
        return parameters;
    }
}
