using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// A 2x2 stride-2 max-pool over <see cref="Channels"/> square maps of side <see cref="Side"/>, per sample.
/// <para>
/// Public, like every kernel and kernel parameter type, because the code ILGPU generates to launch kernels lives in
/// an assembly of its own and must see them.
/// </para>
/// </summary>
public readonly struct PoolShape(int channels, int side)
{
    /// <summary>Maps per sample, pooled independently.</summary>
    public readonly int Channels = channels;

    /// <summary>Side of each input map.</summary>
    public readonly int Side = side;

    /// <summary>Side of each pooled map: half of <see cref="Side"/>.</summary>
    public readonly int Half = side / 2;

    /// <summary>Floats of input per sample.</summary>
    public int InputStride => Channels * Side * Side;

    /// <summary>Floats of output per sample.</summary>
    public int OutputStride => Channels * Half * Half;

    /// <summary>The pool after conv1.</summary>
    public static PoolShape Pool1 { get; } = new(ModelShape.Conv1Channels, ModelShape.Conv1Side);

    /// <summary>The pool after conv2, whose output feeds fc1.</summary>
    public static PoolShape Pool2 { get; } = new(ModelShape.Conv2Channels, ModelShape.Conv2Side);
}
