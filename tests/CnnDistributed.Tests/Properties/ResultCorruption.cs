using System.Runtime.InteropServices;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Protocol.V1;
using CsCheck;
using Google.Protobuf;

namespace CnnDistributed.Tests.Properties;

/// <summary>One way a worker's result can be wrong (or <see cref="None"/>), and the refusal each must meet.</summary>
public enum ResultCorruption
{
    None,
    GradientTooShort,
    GradientTooLong,
    NaNInGradient,
    PositiveInfinityInGradient,
    NegativeInfinityInGradient,
    StaleStepId,
    FutureStepId,
    DuplicateNode,
    MissingNode,
    ExtraNode,
    NodeMoved,
    NodeResized,
    NodeSplitInHalves,
    NodesSwapped,
    DuplicateShardOutcome,
    MissingShardOutcome,
    WrongSampleCount,
    CorrectAboveSamples,
    NegativeCorrect,
    NegativeLoss,
    NaNLoss,
    InfiniteLoss,
    NegativeComputeTime,
}

/// <summary>
/// A corruption with its random parameters: which node or shard (<see cref="Which"/>, taken modulo the count), by how
/// much (<see cref="Amount"/>, at least 1), where in a gradient (<see cref="Position"/>) and the NaN or infinity's
/// sign and payload bits (<see cref="Bits"/>).
/// </summary>
public sealed record CorruptionCase(ResultCorruption Kind, int Which, long Amount, int Position, uint Bits)
{
    /// <summary>Bytes beyond one gradient in <see cref="ValidGradient"/>, so longer gradients are slices too.</summary>
    public const int Slack = 256;

    private const int Floats = StepResultValidator.GradientBytes / sizeof(float);

    /// <summary>
    /// A finite gradient (every magnitude, ±0, subnormals, ±float.MaxValue) of the real length plus
    /// <see cref="Slack"/>: every intact node wraps it, so a case copies a gradient only to poison it.
    /// </summary>
    public static readonly byte[] ValidGradient = CreateValidGradient();

    public static readonly Gen<CorruptionCase> Gen =
        CsCheck.Gen.Select(
            CsCheck.Gen.Frequency(
                (4, CsCheck.Gen.Const(ResultCorruption.None)),
                (23, CsCheck.Gen.Enum<ResultCorruption>().Where(k => k != ResultCorruption.None))),
            CsCheck.Gen.Int[0, 1000],
            CsCheck.Gen.Frequency((3, CsCheck.Gen.Long[1, 8]), (1, CsCheck.Gen.Long[1, long.MaxValue])),
            CsCheck.Gen.Frequency(
                (2, CsCheck.Gen.Int[0, Floats - 1]), (1, CsCheck.Gen.Int[0, 15]), (1, CsCheck.Gen.Int[Floats - 16, Floats - 1])),
            CsCheck.Gen.UInt,
            (kind, which, amount, position, bits) => new CorruptionCase(kind, which, amount, position, bits));

    /// <summary>The refusal <see cref="Kind"/> must meet; null for <see cref="ResultCorruption.None"/>.</summary>
    public ResultRefusal? Expected => Kind switch
    {
        ResultCorruption.None => null,
        ResultCorruption.GradientTooShort or ResultCorruption.GradientTooLong => ResultRefusal.GradientLength,
        ResultCorruption.NaNInGradient or ResultCorruption.PositiveInfinityInGradient
            or ResultCorruption.NegativeInfinityInGradient => ResultRefusal.NonFiniteGradient,
        ResultCorruption.StaleStepId or ResultCorruption.FutureStepId => ResultRefusal.UnknownStep,
        ResultCorruption.DuplicateNode or ResultCorruption.MissingNode or ResultCorruption.ExtraNode
            or ResultCorruption.NodeMoved or ResultCorruption.NodeResized or ResultCorruption.NodeSplitInHalves
            or ResultCorruption.NodesSwapped => ResultRefusal.NodesNotTheCover,
        ResultCorruption.DuplicateShardOutcome or ResultCorruption.MissingShardOutcome => ResultRefusal.ShardCount,
        ResultCorruption.WrongSampleCount or ResultCorruption.CorrectAboveSamples
            or ResultCorruption.NegativeCorrect => ResultRefusal.ShardCounts,
        ResultCorruption.NegativeLoss or ResultCorruption.NaNLoss or ResultCorruption.InfiniteLoss => ResultRefusal.ShardLoss,
        ResultCorruption.NegativeComputeTime => ResultRefusal.NegativeComputeTime,
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    /// <summary>
    /// Applies the corruption to <paramref name="result"/>, a valid result for step <paramref name="step"/>; false (and
    /// the result untouched) when it needs what the result lacks: two nodes to swap, or a node of two shards or more to
    /// split.
    /// </summary>
    public bool ApplyTo(StepResult result, long step)
    {
        var nodes = result.Nodes;
        var shards = result.Shards;
        var node = Which % nodes.Count;
        var shard = Which % shards.Count;
        var small = (int)Math.Min(Amount, int.MaxValue);
        switch (Kind)
        {
            case ResultCorruption.None:
                break;
            case ResultCorruption.GradientTooShort:
                nodes[node].GradientSum = Gradient(StepResultValidator.GradientBytes - 1 - (int)((Amount - 1) % StepResultValidator.GradientBytes));
                break;
            case ResultCorruption.GradientTooLong:
                nodes[node].GradientSum = Gradient(StepResultValidator.GradientBytes + 1 + (int)((Amount - 1) % Slack));
                break;
            case ResultCorruption.NaNInGradient:
                // Exponent all ones, a non-zero mantissa from the bits, either sign: quiet, signalling, any payload.
                nodes[node].GradientSum = Poisoned(0x7F80_0000u | (Bits & 0x8000_0000u) | Math.Max(Bits & 0x007F_FFFFu, 1u));
                break;
            case ResultCorruption.PositiveInfinityInGradient:
                nodes[node].GradientSum = Poisoned(0x7F80_0000u);
                break;
            case ResultCorruption.NegativeInfinityInGradient:
                nodes[node].GradientSum = Poisoned(0xFF80_0000u);
                break;
            case ResultCorruption.StaleStepId:
                result.StepId = unchecked(step - Amount);
                break;
            case ResultCorruption.FutureStepId:
                result.StepId = unchecked(step + Amount);
                break;
            case ResultCorruption.DuplicateNode:
                nodes.Insert(node, nodes[node].Clone());
                break;
            case ResultCorruption.MissingNode:
                nodes.RemoveAt(node);
                break;
            case ResultCorruption.ExtraNode:
                nodes.Insert(
                    (int)(Bits % (uint)(nodes.Count + 1)),
                    new NodeGradient { Start = Which % 64, Size = 1 << (int)(Amount % 7), GradientSum = Gradient(StepResultValidator.GradientBytes) });
                break;
            case ResultCorruption.NodeMoved:
                nodes[node].Start = unchecked(nodes[node].Start + (Bits % 2 == 0 ? small : -small));
                break;
            case ResultCorruption.NodeResized:
                nodes[node].Size = Bits % 2 == 0 ? unchecked(nodes[node].Size + small) : nodes[node].Size >> 1;
                break;
            case ResultCorruption.NodeSplitInHalves:
                var splittable = nodes.Select((n, i) => (n, i)).Where(x => x.n.Size >= 2).ToList();
                if (splittable.Count == 0)
                {
                    return false;
                }
                var (whole, at) = splittable[Which % splittable.Count];
                var half = whole.Size / 2;
                nodes[at] = new NodeGradient { Start = whole.Start, Size = half, GradientSum = whole.GradientSum };
                nodes.Insert(at + 1, new NodeGradient { Start = whole.Start + half, Size = half, GradientSum = whole.GradientSum });
                break;
            case ResultCorruption.NodesSwapped:
                if (nodes.Count < 2)
                {
                    return false;
                }
                var other = (node + 1 + (int)(Bits % (uint)(nodes.Count - 1))) % nodes.Count;
                (nodes[node], nodes[other]) = (nodes[other], nodes[node]);
                break;
            case ResultCorruption.DuplicateShardOutcome:
                shards.Insert(shard, shards[shard].Clone());
                break;
            case ResultCorruption.MissingShardOutcome:
                shards.RemoveAt(shard);
                break;
            case ResultCorruption.WrongSampleCount:
                shards[shard].Samples = unchecked(shards[shard].Samples + (Bits % 2 == 0 ? small : -small));
                break;
            case ResultCorruption.CorrectAboveSamples:
                shards[shard].Correct = (int)Math.Min((long)shards[shard].Samples + Amount, int.MaxValue);
                break;
            case ResultCorruption.NegativeCorrect:
                shards[shard].Correct = -small;
                break;
            case ResultCorruption.NegativeLoss:
                shards[shard].LossSum = Bits % 4 == 0 ? -double.Epsilon : -(double)Amount / (1.0 + Bits);
                break;
            case ResultCorruption.NaNLoss:
                shards[shard].LossSum = BitConverter.Int64BitsToDouble(
                    unchecked((long)(0x7FF8_0000_0000_0000UL | ((ulong)Bits << 32) | Bits)));
                break;
            case ResultCorruption.InfiniteLoss:
                shards[shard].LossSum = Bits % 2 == 0 ? double.PositiveInfinity : double.NegativeInfinity;
                break;
            case ResultCorruption.NegativeComputeTime:
                result.ComputeMicros = -Amount;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null);
        }
        return true;
    }

    public override string ToString() => $"{Kind} (which {Which}, amount {Amount}, position {Position}, bits 0x{Bits:X8})";

    /// <summary>A slice of <see cref="ValidGradient"/>: no copy.</summary>
    private static ByteString Gradient(int bytes) => UnsafeByteOperations.UnsafeWrap(ValidGradient.AsMemory(0, bytes));

    private ByteString Poisoned(uint bits)
    {
        var copy = ValidGradient.AsSpan(0, StepResultValidator.GradientBytes).ToArray();
        MemoryMarshal.Cast<byte, uint>(copy.AsSpan())[Position] = bits;
        return UnsafeByteOperations.UnsafeWrap(copy);
    }

    private static byte[] CreateValidGradient()
    {
        var random = new Random(20);
        var values = new uint[(StepResultValidator.GradientBytes + Slack) / sizeof(uint)];
        for (var i = 0; i < values.Length; i++)
        {
            var bits = (uint)random.NextInt64(0, 1L << 32);
            // Clears one exponent bit when all eight are set: the value stays finite, its magnitude anything.
            values[i] = (bits & 0x7F80_0000u) == 0x7F80_0000u ? bits & ~0x0080_0000u : bits;
        }
        uint[] special = [0x0000_0000u, 0x8000_0000u, 0x0000_0001u, 0x807F_FFFFu, 0x7F7F_FFFFu, 0xFF7F_FFFFu];
        for (var i = 0; i < special.Length; i++)
        {
            values[i] = special[i];
            values[Floats - 1 - i] = special[i];
        }
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }
}
