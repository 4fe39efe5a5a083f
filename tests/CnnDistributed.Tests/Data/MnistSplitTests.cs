using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;
using CnnDistributed.Tests.Infrastructure;

namespace CnnDistributed.Tests.Data;

[Trait("Category", "Unit")]
public sealed class MnistSplitTests
{
    [Fact]
    public void Gather_CopiesImagesAndLabelsInIndexOrder()
    {
        var (pixels, labels) = IdxFileWriter.Samples(4, seed: 11);
        var split = new MnistSplit(pixels, labels);
        int[] indices = [2, 0, 2];
        var gatheredPixels = new byte[indices.Length * ModelShape.Pixels];
        var gatheredLabels = new byte[indices.Length];

        split.Gather(indices, gatheredPixels, gatheredLabels);

        for (var i = 0; i < indices.Length; i++)
        {
            Assert.Equal(
                pixels.AsSpan(indices[i] * ModelShape.Pixels, ModelShape.Pixels).ToArray(),
                gatheredPixels.AsSpan(i * ModelShape.Pixels, ModelShape.Pixels).ToArray());
            Assert.Equal(labels[indices[i]], gatheredLabels[i]);
        }
    }

    [Fact]
    public void Gather_RejectsBuffersTooSmallForTheIndices()
    {
        var (pixels, labels) = IdxFileWriter.Samples(4, seed: 11);
        var split = new MnistSplit(pixels, labels);

        Assert.Throws<ArgumentException>(() => split.Gather([0, 1], new byte[ModelShape.Pixels], new byte[2]));
    }
}
