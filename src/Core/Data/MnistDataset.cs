namespace CnnDistributed.Core.Data;

/// <summary>
/// The four IDX files of CONTRACT §3 in one folder, each raw or gzip. Every header and size is checked
/// before anything large is allocated; any violation throws <see cref="DataFormatException"/> naming the file.
/// </summary>
public sealed class MnistDataset(MnistSplit train, MnistSplit test)
{
    public MnistSplit Train { get; } = train;

    public MnistSplit Test { get; } = test;

    public static MnistDataset Load(string directory) => throw new NotImplementedException();
}
