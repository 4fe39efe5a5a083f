using System.Text;
using System.Text.Json.Nodes;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Model;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Checkpoints;

/// <summary>Each kind of broken safetensors file is refused with a one-line message naming the file and the problem.</summary>
[Trait("Category", "Unit")]
public sealed class SafetensorsValidationTests : IDisposable
{
    private const int DataLength = ModelShape.ParameterCount * sizeof(float);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Path => _temp.File("weights.safetensors");

    private static JsonObject ValidHeader() => SafetensorsFileBuilder.Header(ModelShape.Tensors);

    private void AssertReadFails(JsonNode header, string problem, int dataLength = DataLength)
    {
        SafetensorsFileBuilder.Write(Path, header, new byte[dataLength]);
        DataFormatAssert.Throws(() => SafetensorsFile.Read(Path), Path, problem);
    }

    [Fact]
    public void Read_AcceptsTheValidHeaderTheseTestsBreak()
    {
        var parameters = SafetensorsFileBuilder.Parameters(seed: 1);
        SafetensorsFileBuilder.Write(Path, ValidHeader(), SafetensorsFileBuilder.Data(parameters, ModelShape.Tensors));

        Assert.Equal(parameters, SafetensorsFile.Read(Path));
    }

    [Fact]
    public void Read_RejectsAMissingFile()
    {
        DataFormatAssert.Throws(() => SafetensorsFile.Read(Path), Path, "missing (");
    }

    [Fact]
    public void Read_RejectsAFileShorterThanTheLengthField()
    {
        File.WriteAllBytes(Path, [1, 2, 3]);

        DataFormatAssert.Throws(() => SafetensorsFile.Read(Path), Path, "too short: 3 bytes");
    }

    [Fact]
    public void Read_RejectsAHeaderLengthBeyondTheFile()
    {
        SafetensorsFileBuilder.Write(Path, 1000, Encoding.UTF8.GetBytes("{}"), new byte[10]);

        DataFormatAssert.Throws(() => SafetensorsFile.Read(Path), Path, "header length 1000 exceeds the 12 bytes that follow it");
    }

    [Fact]
    public void Read_RejectsAnAbsurdHeaderLengthWithoutAllocatingIt()
    {
        SafetensorsFileBuilder.Write(Path, ulong.MaxValue, Encoding.UTF8.GetBytes("{}"), []);

        DataFormatAssert.Throws(() => SafetensorsFile.Read(Path), Path, $"header length {ulong.MaxValue} exceeds the limit of {SafetensorsFile.MaxHeaderLength} bytes");
    }

    [Theory]
    [InlineData("7B22BB223A317D")]
    [InlineData("7B22636F6E76312E776569676874223A7B226474797065223A22BB3332227D7D")]
    public void Read_RejectsAHeaderThatIsNotUtf8(string headerHex)
    {
        // Found by fuzzing (docs/fuzzing.md): a byte that is not UTF-8 in a tensor name, or in the dtype string.
        SafetensorsFileBuilder.Write(Path, Convert.FromHexString(headerHex), new byte[DataLength]);

        DataFormatAssert.Throws(() => SafetensorsFile.Read(Path), Path, "header is not valid UTF-8");
    }

    [Fact]
    public void Read_RejectsAHeaderThatIsNotJson()
    {
        SafetensorsFileBuilder.Write(Path, Encoding.UTF8.GetBytes("{\"conv1.weight\": [1,"), new byte[DataLength]);

        DataFormatAssert.Throws(() => SafetensorsFile.Read(Path), Path, "header is not valid JSON (");
    }

    [Fact]
    public void Read_RejectsAHeaderThatIsNotAnObject()
    {
        AssertReadFails(new JsonArray(1, 2), "header is not a JSON object");
    }

    [Fact]
    public void Read_RejectsAMissingTensor()
    {
        var header = ValidHeader();
        header.Remove("fc2.bias");

        AssertReadFails(header, "missing tensors fc2.bias");
    }

    [Fact]
    public void Read_RejectsAnUnknownTensorNamingIt()
    {
        var header = ValidHeader();
        header["fc3.weight"] = header["fc2.bias"]!.DeepClone();

        AssertReadFails(header, "unexpected tensors \"fc3.weight\"");
    }

    [Fact]
    public void Read_RejectsADtypeOtherThanF32()
    {
        var header = ValidHeader();
        header["conv2.bias"]!["dtype"] = "F16";

        AssertReadFails(header, "tensor conv2.bias: dtype \"F16\" is not F32");
    }

    [Fact]
    public void Read_RejectsAMissingDtype()
    {
        var header = ValidHeader();
        header["conv2.bias"]!.AsObject().Remove("dtype");

        AssertReadFails(header, "tensor conv2.bias: missing dtype");
    }

    [Fact]
    public void Read_RejectsAWrongShape()
    {
        var header = ValidHeader();
        header["conv1.weight"]!["shape"] = new JsonArray(6, 1, 25);

        AssertReadFails(header, "tensor conv1.weight: shape [6,1,25] differs from the expected [6,1,5,5]");
    }

    [Fact]
    public void Read_RejectsAShapeThatIsNotIntegers()
    {
        var header = ValidHeader();
        header["fc1.bias"]!["shape"] = new JsonArray(120.5);

        AssertReadFails(header, "tensor fc1.bias: shape is not an array of non-negative integers");
    }

    [Fact]
    public void Read_RejectsDataOffsetsBeyondTheDataSection()
    {
        AssertReadFails(ValidHeader(), $"tensor fc2.bias: data_offsets [{DataLength - 40},{DataLength}] out of range (the data section has {DataLength - 4} bytes)", DataLength - 4);
    }

    [Fact]
    public void Read_RejectsDataOffsetsOfTheWrongLength()
    {
        var header = ValidHeader();
        header["conv1.bias"]!["data_offsets"] = new JsonArray(600, 620);

        AssertReadFails(header, "tensor conv1.bias: data_offsets [600,620] cover 20 bytes, expected 24");
    }

    [Fact]
    public void Read_RejectsDataOffsetsThatAreNotAPair()
    {
        var header = ValidHeader();
        header["conv1.bias"]!["data_offsets"] = new JsonArray(600);

        AssertReadFails(header, "tensor conv1.bias: data_offsets is not a pair of non-negative integers");
    }

    [Fact]
    public void Read_RejectsATensorListedTwice()
    {
        var header = ValidHeader().ToJsonString();
        var duplicated = header.Insert(1, "\"fc2.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[0,40]},");
        SafetensorsFileBuilder.Write(Path, Encoding.UTF8.GetBytes(duplicated), new byte[DataLength]);

        DataFormatAssert.Throws(() => SafetensorsFile.Read(Path), Path, "tensor fc2.bias appears twice");
    }
}
