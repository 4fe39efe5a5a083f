using System.Numerics;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Protocol;

/// <summary>
/// Sizes every message of the protocol is checked against (docs/protocol.md, "Limits"). A peer may send at most twice
/// the largest message the job legitimately produces; the gRPC layers of both sides compare a message's declared
/// length with that bound before they buffer any of it.
/// </summary>
public static class ProtocolLimits
{
    /// <summary>A weight set or a node gradient: the model's parameters as little-endian float32.</summary>
    public const int TensorBytes = ModelShape.ParameterCount * sizeof(float);

    /// <summary>The default ceiling a worker puts on any message it accepts, whatever the job says.</summary>
    public const int DefaultMaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>The largest registration a coordinator reads, whole HTTP/2 request body included.</summary>
    public const int RegistrationBytes = 4 * 1024;

    /// <summary>The largest reply to a registration a worker reads.</summary>
    public const int RegistrationReplyBytes = 64 * 1024;

    /// <summary>The longest worker name, in UTF-8 bytes.</summary>
    public const int NameBytes = 256;

    /// <summary>The longest device kind, in UTF-8 bytes.</summary>
    public const int DeviceKindBytes = 64;

    // Upper bounds of the protobuf framing around the payload bytes: tags, length prefixes and scalar fields.
    private const int NodeFramingBytes = 32;
    private const int ShardFramingBytes = 32;
    private const int OutcomeBytes = 48;
    private const int MessageFramingBytes = 256;

    /// <summary>The most tree nodes one result carries: a contiguous range's cover has at most two per level.</summary>
    public static int MaxNodesPerResult(int shards) => Math.Max(1, 2 * BitOperations.Log2((uint)shards));

    /// <summary>The largest result a worker legitimately sends in a job of <paramref name="shards"/> shards.</summary>
    public static long LargestResultBytes(int shards) =>
        (long)MaxNodesPerResult(shards) * (TensorBytes + NodeFramingBytes) + (long)shards * OutcomeBytes
        + MessageFramingBytes;

    /// <summary>
    /// The largest assignment the coordinator legitimately sends: the weights and a whole minibatch of
    /// <paramref name="batchSize"/> samples split into <paramref name="shards"/> shards.
    /// </summary>
    public static long LargestAssignmentBytes(int batchSize, int shards) =>
        TensorBytes + MessageFramingBytes + ((long)batchSize * (ModelShape.Pixels + 1))
        + ((long)shards * ShardFramingBytes);

    /// <summary>What the coordinator accepts on a work stream: twice the largest legitimate result.</summary>
    public static int CoordinatorReceiveBytes(int shards) => Clamp(2 * LargestResultBytes(shards));

    /// <summary>What a worker accepts on its work stream: twice the largest legitimate assignment.</summary>
    public static int WorkerReceiveBytes(int batchSize, int shards) =>
        Clamp(2 * LargestAssignmentBytes(batchSize, shards));

    private static int Clamp(long bytes) => (int)Math.Min(bytes, int.MaxValue);
}
