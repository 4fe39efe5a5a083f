using System.Runtime.InteropServices;
using CnnDistributed.Core.Model;
using Google.Protobuf;

namespace CnnDistributed.Coordinator.Cluster;

/// <summary>The job's current weights as wire bytes, with a version that changes whenever any bit of them does.</summary>
internal sealed class WeightsBroadcast
{
    private readonly float[] _last = new float[ModelShape.ParameterCount];

    public ulong Version { get; private set; }

    public ByteString Bytes { get; private set; } = ByteString.Empty;

    public ulong Update(ReadOnlySpan<float> parameters)
    {
        if (Version == 0 || !MemoryMarshal.AsBytes(parameters).SequenceEqual(MemoryMarshal.AsBytes(_last.AsSpan())))
        {
            parameters.CopyTo(_last);
            Bytes = ByteString.CopyFrom(MemoryMarshal.AsBytes(parameters));
            Version++;
        }
        return Version;
    }
}
