using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Data;

[Trait("Category", "Unit")]
public sealed class MnistDatasetLoadTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_ReturnsEveryPixelAndLabelOfAGeneratedDataSet(bool gzip)
    {
        var (trainPixels, trainLabels) = IdxFileWriter.Samples(25, seed: 3);
        var (testPixels, testLabels) = IdxFileWriter.Samples(7, seed: 4);
        IdxFileWriter.WriteSplit(_temp.Path, MnistDataset.TrainImagesFile, MnistDataset.TrainLabelsFile, trainPixels, trainLabels, gzip);
        IdxFileWriter.WriteSplit(_temp.Path, MnistDataset.TestImagesFile, MnistDataset.TestLabelsFile, testPixels, testLabels, gzip);

        var dataset = MnistDataset.Load(_temp.Path);

        Assert.Equal(trainPixels, dataset.Train.Pixels);
        Assert.Equal(trainLabels, dataset.Train.Labels);
        Assert.Equal(testPixels, dataset.Test.Pixels);
        Assert.Equal(testLabels, dataset.Test.Labels);
        Assert.Equal(25, dataset.Train.Count);
        Assert.Equal(7, dataset.Test.Count);
    }

    [Fact]
    public void Load_PrefersTheRawFileWhenBothRawAndGzipExist()
    {
        IdxFileWriter.WriteDataSet(_temp.Path, trainCount: 4, testCount: 3, gzip: true);
        var (rawPixels, _) = IdxFileWriter.Samples(4, seed: 9);
        IdxFileWriter.WriteImages(_temp.File(MnistDataset.TrainImagesFile), rawPixels);

        var dataset = MnistDataset.Load(_temp.Path);

        Assert.Equal(rawPixels, dataset.Train.Pixels);
    }

    [Fact]
    public void Load_AcceptsAnEmptyTestSplit()
    {
        IdxFileWriter.WriteDataSet(_temp.Path, trainCount: 3, testCount: 0, gzip: false);

        var dataset = MnistDataset.Load(_temp.Path);

        Assert.Equal(3, dataset.Train.Count);
        Assert.Equal(0, dataset.Test.Count);
    }

    [Fact]
    public void Load_ReadsTheBundledSampleWith7996TrainAnd2004TestImages()
    {
        var dataset = MnistDataset.Load(RepositoryPaths.SampleData);

        Assert.Equal(7_996, dataset.Train.Count);
        Assert.Equal(2_004, dataset.Test.Count);
        Assert.Equal(7_996 * ModelShape.Pixels, dataset.Train.Pixels.Length);
        Assert.Equal(2_004 * ModelShape.Pixels, dataset.Test.Pixels.Length);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), dataset.Train.Labels.Distinct().Order());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), dataset.Test.Labels.Distinct().Order());
    }
}
