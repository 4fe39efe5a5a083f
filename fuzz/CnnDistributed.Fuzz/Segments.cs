using System.Buffers;

namespace CnnDistributed.Fuzz;

/// <summary>
/// Cuts an input into a chain of small segments, as a gRPC payload arrives in the receive buffers, so that the
/// protobuf readers meet fields that straddle segment boundaries.
/// </summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private const int SegmentBytes = 7;

    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] input)
    {
        if (input.Length <= SegmentBytes)
        {
            return new ReadOnlySequence<byte>(input);
        }
        var first = new Segments(input.AsMemory(0, SegmentBytes), 0);
        var last = first;
        for (var offset = SegmentBytes; offset < input.Length; offset += SegmentBytes)
        {
            var next = new Segments(input.AsMemory(offset, Math.Min(SegmentBytes, input.Length - offset)), offset);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
