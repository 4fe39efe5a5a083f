using CnnDistributed.Core.Model;
using ILGPU;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// A step's results made on the device, so that only they leave it: the shard gradients summed along the gradient tree
/// (docs/determinism.md) into the worker's tree nodes, and each shard's loss sum and correct count. Thread i below
/// nodes·P owns parameter i mod P of node i / P and adds the node's leaves pairwise from the bottom up, in place:
/// (g0+g1), (g2+g3), …, then ((g0+g1)+(g2+g3)), … — the pairs and the order of <see cref="Training.GradientTreeSum"/>,
/// so device and host agree to the bit (no thread shares a leaf element with another: nodes do not overlap). Each
/// thread after those owns one shard's statistics and adds its samples' losses in double, in sample order, as the host
/// did when the losses came down.
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public static class GradientTreeKernels
{
    /// <summary>
    /// The layout holds each shard's first sample and the end of the last (<paramref name="shards"/> + 1 entries), then
    /// each node's first shard, counted from the call's first shard, and the end of the last (<paramref name="nodes"/>
    /// + 1; each node a power of two of shards). sums[n·P + p] = the tree sum of gradients[s·P + p] over the shards s
    /// of node n (the leaves are overwritten with partial sums); statistics[2s] = shard s's loss sum, statistics[2s+1]
    /// its correct predictions.
    /// </summary>
    public static void NodeSumsAndStatistics(
        Index1D i,
        ArrayView<float> gradients,
        ArrayView<int> layout,
        int shards,
        int nodes,
        ArrayView<float> losses,
        ArrayView<int> predictions,
        ArrayView<byte> labels,
        ArrayView<float> sums,
        ArrayView<double> statistics)
    {
        const int P = ModelShape.ParameterCount;
        if (i < nodes * P)
        {
            int node = i / P, p = i - node * P;
            int first = layout[shards + 1 + node], size = layout[shards + 2 + node] - first;
            var leaf = first * P + p;
            for (var stride = 1; stride < size; stride *= 2)
            {
                for (var j = 0; j < size; j += 2 * stride)
                {
                    gradients[leaf + j * P] += gradients[leaf + (j + stride) * P];
                }
            }
            sums[i] = gradients[leaf];
            return;
        }
        var shard = i - nodes * P;
        var lossSum = 0.0;
        var correct = 0;
        for (var s = layout[shard]; s < layout[shard + 1]; s++)
        {
            lossSum += losses[s];
            correct += predictions[s] == labels[s] ? 1 : 0;
        }
        statistics[2 * shard] = lossSum;
        statistics[2 * shard + 1] = correct;
    }
}
