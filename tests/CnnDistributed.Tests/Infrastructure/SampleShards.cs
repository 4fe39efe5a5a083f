using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>Real MNIST digits from the bundled sample, loaded once per test run.</summary>
public static class SampleShards
{
    private static readonly Lazy<MnistDataset> Data = new(() => MnistDataset.Load(RepositoryPaths.SampleData));

    public static MnistDataset Dataset => Data.Value;

    /// <summary>The first <paramref name="count"/> training samples starting at <paramref name="start"/>.</summary>
    public static ShardSamples Train(int start, int count) => Dataset.Train.All.Slice(start, count);

}
