namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// One or two <see cref="GemmShape"/> products in one launch of <see cref="GemmKernels"/>: batches
/// [0, <see cref="FirstBatches"/>) compute <see cref="First"/> on the operands (a, b), the later batches compute
/// <see cref="Second"/> on (a2, b2), numbering their batches from 0 again; both write c. The two fully connected
/// layers' weight gradients share a launch this way, since launches, not arithmetic, are what a step of this model
/// costs.
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public readonly struct GemmPair(GemmShape first, int firstBatches, GemmShape second)
{
    /// <summary>The product of the first <see cref="FirstBatches"/> batches.</summary>
    public readonly GemmShape First = first;

    /// <summary>How many batches compute <see cref="First"/>.</summary>
    public readonly int FirstBatches = firstBatches;

    /// <summary>The product of every later batch.</summary>
    public readonly GemmShape Second = second;

    /// <summary>One product over <paramref name="batches"/> batches (no batch computes the second).</summary>
    public static GemmPair Single(GemmShape shape, int batches) => new(shape, batches, shape);
}
