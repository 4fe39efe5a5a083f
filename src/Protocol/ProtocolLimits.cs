using CnnDistributed.Core.Model;

namespace CnnDistributed.Protocol;

/// <summary>Sizes every message of the protocol is checked against (docs/protocol.md, "Limits").</summary>
public static class ProtocolLimits
{
    /// <summary>A weight set or a node gradient: the model's parameters as little-endian float32.</summary>
    public const int TensorBytes = ModelShape.ParameterCount * sizeof(float);

    /// <summary>The default of the largest gRPC message either side sends or accepts.</summary>
    public const int DefaultMaxMessageBytes = 64 * 1024 * 1024;
}
