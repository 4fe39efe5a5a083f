using System.Security.Cryptography;

namespace CnnDistributed.Core.Checkpoints;

/// <summary><c>weights_sha256</c>: hex SHA-256 of the raw little-endian float32 bytes of the eight tensors in contract order.</summary>
public static class WeightsDigest
{
    public static string Sha256Hex(ReadOnlySpan<float> parameters) =>
        Convert.ToHexStringLower(SHA256.HashData(LittleEndianFloats.ToBytes(parameters)));
}
