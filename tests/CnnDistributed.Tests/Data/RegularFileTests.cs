using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Data;

/// <summary>Every reader of user files refuses a named pipe, a device or a folder by name, without blocking.</summary>
[Trait("Category", "Unit")]
public sealed class RegularFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Readers => ["safetensors", "checkpoint", "idx"];

    private static void Read(string reader, string path)
    {
        switch (reader)
        {
            case "safetensors":
                SafetensorsFile.Read(path);
                break;
            case "checkpoint":
                CheckpointFile.Read(path);
                break;
            default:
                using (IdxReader.OpenImages(path))
                {
                }
                break;
        }
    }

    private static void AssertRefused(string reader, string path, string kind) => SpecialFiles.Within(
        () => DataFormatAssert.Throws(() => Read(reader, path), path, $"not a regular file ({kind})"),
        path);

    [Theory]
    [MemberData(nameof(Readers))]
    public void AFifoIsRefusedWithoutBlocking(string reader) =>
        AssertRefused(reader, SpecialFiles.Fifo(_temp.File("pipe")), "a named pipe");

    [Theory]
    [MemberData(nameof(Readers))]
    public void DevZeroIsRefusedWithoutReadingForEver(string reader) =>
        AssertRefused(reader, SpecialFiles.Zeros, "a character device");

    [Theory]
    [MemberData(nameof(Readers))]
    public void AFolderIsRefusedByName(string reader) => AssertRefused(reader, _temp.Path, "a folder");

    [Fact]
    public void ALinkToARegularFileIsAccepted()
    {
        var target = _temp.File("model.safetensors");
        SafetensorsFile.Write(target, SafetensorsFileBuilder.Parameters(seed: 3));
        var link = _temp.File("link.safetensors");
        File.CreateSymbolicLink(link, target);

        Assert.Equal(SafetensorsFileBuilder.Parameters(seed: 3), SafetensorsFile.Read(link));
    }

    [Fact]
    public void AFifoAmongTheDataFilesIsRefusedNamingIt()
    {
        foreach (var file in Directory.GetFiles(RepositoryPaths.SampleData))
        {
            File.Copy(file, _temp.File(Path.GetFileName(file)));
        }
        var fifo = SpecialFiles.Fifo(_temp.File("t10k-labels-idx1-ubyte"));

        SpecialFiles.Within(
            () => DataFormatAssert.Throws(() => MnistDataset.Load(_temp.Path), fifo, "not a regular file (a named pipe)"),
            fifo);
    }
}
