using System.Text.Json.Nodes;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Model;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Checkpoints;

/// <summary>
/// The tensors' byte ranges must tile the data section exactly, as the safetensors format requires, and every weight
/// must be finite; each violation is refused naming the file and the tensor.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SafetensorsLayoutTests : IDisposable
{
    private const int DataLength = ModelShape.ParameterCount * sizeof(float);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Path => _temp.File("weights.safetensors");

    private void AssertReadFails(JsonNode header, string problem, int dataLength = DataLength)
    {
        SafetensorsFileBuilder.Write(Path, header, new byte[dataLength]);
        DataFormatAssert.Throws(() => SafetensorsFile.Read(Path), Path, problem);
    }

    [Fact]
    public void SafetensorsWithOverlappingTensorsIsRefusedNamingTheTensor()
    {
        var header = SafetensorsFileBuilder.Header(ModelShape.Tensors);
        header["conv1.bias"]!["data_offsets"] = new JsonArray(596, 620);

        AssertReadFails(header, "tensor conv1.bias: data_offsets [596,620] overlap tensor conv1.weight");
    }

    [Fact]
    public void SafetensorsWithAGapBetweenTensorsIsRefusedNamingTheTensorAfterIt()
    {
        var header = SafetensorsFileBuilder.Header(ModelShape.Tensors);
        header["fc2.bias"]!["data_offsets"] = new JsonArray(DataLength - 36, DataLength + 4);

        AssertReadFails(
            header,
            $"tensor fc2.bias: data_offsets [{DataLength - 36},{DataLength + 4}] leave bytes "
            + $"{DataLength - 40}-{DataLength - 37} of the data section unused",
            DataLength + 4);
    }

    [Fact]
    public void SafetensorsWithBytesAfterTheLastTensorIsRefused()
    {
        AssertReadFails(
            SafetensorsFileBuilder.Header(ModelShape.Tensors),
            $"bytes {DataLength}-{DataLength + 7} of the data section follow tensor fc2.bias and belong to no tensor",
            DataLength + 8);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void SafetensorsWithANonFiniteWeightIsRefusedNamingTheTensor(float value, string text)
    {
        var parameters = SafetensorsFileBuilder.Parameters(seed: 2);
        var fc1Bias = ModelShape.Tensors.Single(t => t.Name == "fc1.bias");
        parameters[fc1Bias.Offset + 7] = value;
        SafetensorsFile.Write(Path, parameters);

        DataFormatAssert.Throws(
            () => SafetensorsFile.Read(Path), Path, $"tensor fc1.bias: element 7 is {text} (weights must be finite)");
    }
}
