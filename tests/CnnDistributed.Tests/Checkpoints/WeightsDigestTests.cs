using System.Buffers.Binary;
using System.Security.Cryptography;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Tests.Checkpoints;

[Trait("Category", "Unit")]
public sealed class WeightsDigestTests
{
    [Fact]
    public void Sha256Hex_OfZeroWeightsIsTheSha256Of138488ZeroBytes()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData(new byte[138_488]));

        Assert.Equal(expected, WeightsDigest.Sha256Hex(new float[ModelShape.ParameterCount]));
    }

    [Fact]
    public void Sha256Hex_HashesTheLittleEndianFloat32BytesInOrder()
    {
        float[] values = [1.0f, -2.5f, 0.1f, float.NegativeInfinity];
        var bytes = new byte[values.Length * 4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(0), 0x3F800000);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), unchecked((int)0xC0200000));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 0x3DCCCCCD);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), unchecked((int)0xFF800000));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), WeightsDigest.Sha256Hex(values));
    }

    [Fact]
    public void Sha256Hex_OfTheEmptyVectorIsTheKnownEmptyDigest()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", WeightsDigest.Sha256Hex([]));
    }
}
