namespace CnnDistributed.Core.Data;

/// <summary>
/// The four IDX files of a data set (docs/commands.md, "Data") in one folder, each raw or gzip. Every header and size
/// is checked before anything large is allocated; any violation throws <see cref="DataFormatException"/> naming the
/// file.
/// </summary>
public sealed class MnistDataset(MnistSplit train, MnistSplit test)
{
    internal const string TrainImagesFile = "train-images-idx3-ubyte";
    internal const string TrainLabelsFile = "train-labels-idx1-ubyte";
    internal const string TestImagesFile = "t10k-images-idx3-ubyte";
    internal const string TestLabelsFile = "t10k-labels-idx1-ubyte";
    internal const string GzipSuffix = ".gz";

    /// <summary>The training split, which training steps draw their minibatches from.</summary>
    public MnistSplit Train { get; } = train;

    /// <summary>The test split, evaluated after every epoch and by <c>cnnd evaluate</c>.</summary>
    public MnistSplit Test { get; } = test;

    /// <summary>
    /// Reads and checks the four files in <paramref name="directory"/>, each by its plain name or, failing that, with
    /// a <c>.gz</c> suffix; images and labels of a split must agree in count.
    /// </summary>
    public static MnistDataset Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DataFormatException(
                directory, File.Exists(directory) ? "not a directory" : "directory not found");
        }
        using var trainImages = IdxReader.OpenImages(Locate(directory, TrainImagesFile));
        using var trainLabels = IdxReader.OpenLabels(Locate(directory, TrainLabelsFile));
        using var testImages = IdxReader.OpenImages(Locate(directory, TestImagesFile));
        using var testLabels = IdxReader.OpenLabels(Locate(directory, TestLabelsFile));
        CheckCounts(trainImages, trainLabels);
        CheckCounts(testImages, testLabels);
        var train = ReadSplit(trainImages, trainLabels);
        var test = ReadSplit(testImages, testLabels);
        return new MnistDataset(train, test);
    }

    /// <summary>The raw file if present, else the gzip one.</summary>
    private static string Locate(string directory, string name)
    {
        var raw = Path.Combine(directory, name);
        if (File.Exists(raw))
        {
            return raw;
        }
        var compressed = raw + GzipSuffix;
        if (File.Exists(compressed))
        {
            return compressed;
        }
        throw new DataFormatException(raw, $"missing (expected {name} or {name}{GzipSuffix})");
    }

    private static void CheckCounts(IdxReader images, IdxReader labels)
    {
        if (images.Count != labels.Count)
        {
            throw new DataFormatException(
                images.Path, $"has {images.Count} images but {labels.Path} has {labels.Count} labels");
        }
    }

    private static MnistSplit ReadSplit(IdxReader images, IdxReader labels)
    {
        var labelBytes = labels.ReadPayload();
        return new MnistSplit(images.ReadPayload(), labelBytes);
    }
}
