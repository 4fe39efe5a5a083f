using CnnDistributed.Core.Model;
using ILGPU;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// The shard gradients summed along the gradient tree on the device (docs/determinism.md), so that a worker's tree
/// nodes leave the device instead of every shard's gradient. Thread i owns parameter i mod P of node i / P and adds
/// the node's leaves pairwise from the bottom up, in place: (g0+g1), (g2+g3), …, then ((g0+g1)+(g2+g3)), … — the pairs
/// and the order of <see cref="Training.GradientTreeSum"/>, so device and host agree to the bit. No thread shares a
/// leaf element with another: nodes do not overlap.
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public static class GradientTreeKernels
{
    /// <summary>
    /// sums[n·P + p] = the tree sum of gradients[s·P + p] over the shards s of node n, which are
    /// [bounds[n], bounds[n+1]) counted from the call's first shard (a power of two of them). The leaves are
    /// overwritten with partial sums.
    /// </summary>
    public static void NodeSums(Index1D i, ArrayView<float> gradients, ArrayView<int> bounds, ArrayView<float> sums)
    {
        const int P = ModelShape.ParameterCount;
        int node = i / P, p = i - node * P;
        int first = bounds[node], size = bounds[node + 1] - first;
        var leaf = first * P + p;
        for (var stride = 1; stride < size; stride *= 2)
        {
            for (var j = 0; j < size; j += 2 * stride)
            {
                gradients[leaf + j * P] += gradients[leaf + (j + stride) * P];
            }
        }
        sums[i] = gradients[leaf];
    }
}
