using System.Security.Cryptography;

namespace CnnDistributed.Core.Checkpoints;

/// <summary>
/// <c>weights_sha256</c> (docs/outputs.md): hex SHA-256 of the raw little-endian float32 bytes of the eight tensors in
/// the order of docs/model.md.
/// </summary>
public static class WeightsDigest
{
    /// <summary>The lower-case hex SHA-256 of the little-endian bytes of <paramref name="parameters"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<float> parameters) =>
        Convert.ToHexStringLower(SHA256.HashData(LittleEndianFloats.ToBytes(parameters)));
}
