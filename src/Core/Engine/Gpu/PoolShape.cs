using CnnDistributed.Core.Model;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>A 2x2 stride-2 max-pool over <see cref="Channels"/> square maps of side <see cref="Side"/>, per sample.</summary>
public readonly struct PoolShape(int channels, int side)
{
    public readonly int Channels = channels;
    public readonly int Side = side;
    public readonly int Half = side / 2;

    public int InputStride => Channels * Side * Side;

    public int OutputStride => Channels * Half * Half;

    public static PoolShape Pool1 { get; } = new(ModelShape.Conv1Channels, ModelShape.Conv1Side);

    public static PoolShape Pool2 { get; } = new(ModelShape.Conv2Channels, ModelShape.Conv2Side);
}
