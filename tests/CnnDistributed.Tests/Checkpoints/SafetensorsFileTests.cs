using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Model;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Checkpoints;

[Trait("Category", "Unit")]
public sealed class SafetensorsFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public void WriteThenRead_ReturnsBitIdenticalParameters()
    {
        var parameters = SafetensorsFileBuilder.Parameters(seed: 1);
        parameters[0] = -0.0f;
        parameters[1] = float.Epsilon;
        parameters[2] = float.MaxValue;
        parameters[^1] = BitConverter.Int32BitsToSingle(0x00012345);
        var path = _temp.File("model.safetensors");

        SafetensorsFile.Write(path, parameters);

        Assert.Equal(Bits(parameters), Bits(SafetensorsFile.Read(path)));
    }

    [Fact]
    public void Write_LaysOutTheHeaderAndDataAsTheSafetensorsFormatRequires()
    {
        var parameters = SafetensorsFileBuilder.Parameters(seed: 2);
        var path = _temp.File("model.safetensors");

        SafetensorsFile.Write(path, parameters);

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var dataStart = 8 + headerLength;
        Assert.Equal(0, dataStart % 8);
        Assert.Equal(dataStart + ModelShape.ParameterCount * sizeof(float), bytes.Length);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var root = header.RootElement;
        Assert.Equal("pt", root.GetProperty("__metadata__").GetProperty("format").GetString());
        Assert.Equal(ModelShape.Tensors.Count + 1, root.EnumerateObject().Count());
        foreach (var tensor in ModelShape.Tensors)
        {
            var entry = root.GetProperty(tensor.Name);
            Assert.Equal("F32", entry.GetProperty("dtype").GetString());
            Assert.Equal(tensor.Shape, entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
            var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal([tensor.Offset * 4L, (tensor.Offset + tensor.Length) * 4L], offsets);
            var stored = new float[tensor.Length];
            LittleEndianFloats.FromBytes(bytes.AsSpan(dataStart + (int)offsets[0], tensor.Length * 4), stored);
            Assert.Equal(parameters.AsSpan(tensor.Offset, tensor.Length).ToArray(), stored);
        }
    }

    [Fact]
    public void Read_AcceptsTensorsStoredSortedByNameAsPyTorchWritesThem()
    {
        var parameters = SafetensorsFileBuilder.Parameters(seed: 3);
        var sorted = ModelShape.Tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = SafetensorsFileBuilder.Header(sorted);
        var reversedHeader = new JsonObject();
        foreach (var tensor in ModelShape.Tensors.Reverse())
        {
            reversedHeader[tensor.Name] = header[tensor.Name]!.DeepClone();
        }
        var path = _temp.File("pytorch.safetensors");
        SafetensorsFileBuilder.Write(path, reversedHeader, SafetensorsFileBuilder.Data(parameters, sorted));

        Assert.Equal(Bits(parameters), Bits(SafetensorsFile.Read(path)));
    }

    [Fact]
    public void Write_ReplacesAnExistingFileAndLeavesNoTemporaryFiles()
    {
        var path = _temp.File("model.safetensors");
        SafetensorsFile.Write(path, SafetensorsFileBuilder.Parameters(seed: 4));
        var second = SafetensorsFileBuilder.Parameters(seed: 5);

        SafetensorsFile.Write(path, second);

        Assert.Equal(Bits(second), Bits(SafetensorsFile.Read(path)));
        Assert.Equal([path], Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void Write_IntoAMissingDirectoryThrowsAndCreatesNothing()
    {
        var path = Path.Combine(_temp.File("missing"), "model.safetensors");

        Assert.Throws<DirectoryNotFoundException>(() => SafetensorsFile.Write(path, SafetensorsFileBuilder.Parameters(seed: 6)));

        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void Write_ThatFailsAtTheRenameRemovesItsTemporaryFile()
    {
        var path = _temp.File("occupied");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "keep.txt"), "kept");

        Assert.ThrowsAny<IOException>(() => SafetensorsFile.Write(path, SafetensorsFileBuilder.Parameters(seed: 7)));

        Assert.Equal([path], Directory.GetFileSystemEntries(_temp.Path));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(path, "keep.txt")));
    }

    [Fact]
    public void Write_WithTheWrongParameterCountLeavesTheExistingFileUntouched()
    {
        var path = _temp.File("model.safetensors");
        SafetensorsFile.Write(path, SafetensorsFileBuilder.Parameters(seed: 8));
        var before = File.ReadAllBytes(path);

        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, new float[ModelShape.ParameterCount - 1]));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_temp.Path));
    }
}
