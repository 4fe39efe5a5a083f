using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using Google.Protobuf;

namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// The job's current weights as wire bytes, with a version that changes whenever any bit of them does. The bytes are
/// copied once per version into an owned buffer that every worker's message wraps without a further copy.
/// </summary>
internal sealed class WeightsBroadcast
{
    private readonly byte[] _bytes = new byte[ModelShape.ParameterCount * sizeof(float)];

    public ulong Version { get; private set; }

    public ByteString Bytes { get; private set; } = ByteString.Empty;

    public ulong Update(ReadOnlySpan<float> parameters)
    {
        var bytes = MemoryMarshal.AsBytes(parameters);
        if (Version == 0 || !bytes.SequenceEqual(_bytes))
        {
            bytes.CopyTo(_bytes);
            Bytes = UnsafeByteOperations.UnsafeWrap(_bytes);
            Version++;
        }
        return Version;
    }
}
