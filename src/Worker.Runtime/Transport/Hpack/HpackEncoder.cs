using System.Buffers;
using System.Text;

namespace CnnDistributed.Worker.Runtime.Transport.Hpack;

/// <summary>
/// Encodes request header fields as HPACK literals without indexing and with a new name (RFC 7541 §6.2.2), with raw
/// string literals: the encoder keeps no dynamic table, so nothing it sends changes the peer's decoder state.
/// </summary>
public static class HpackEncoder
{
    private const int MaxLengthOctets = 6;

    /// <summary>
    /// Writes one field. The name must be non-empty lowercase visible ASCII; the value may hold visible ASCII, space
    /// and tab. Anything else throws <see cref="ArgumentException"/>.
    /// </summary>
    public static void WriteLiteral(string name, string value, IBufferWriter<byte> output)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Any(c => c is < '!' or > '~' or >= 'A' and <= 'Z'))
        {
            throw new ArgumentException($"header name '{name}' is not lowercase visible ASCII", nameof(name));
        }
        if (value.Any(c => c is (< ' ' and not '\t') or > '~'))
        {
            throw new ArgumentException(
                $"value of header '{name}' holds a character other than visible ASCII, space or tab", nameof(value));
        }
        var span = output.GetSpan(1 + 2 * MaxLengthOctets + name.Length + value.Length);
        span[0] = 0x00;
        var written = 1;
        written += WriteString(name, span[written..]);
        written += WriteString(value, span[written..]);
        output.Advance(written);
    }

    private static int WriteString(string text, Span<byte> destination)
    {
        var written = WriteLength(text.Length, destination);
        return written + Encoding.ASCII.GetBytes(text, destination[written..]);
    }

    /// <summary>Writes a string length as an integer with a 7-bit prefix (§5.1) and the Huffman flag clear.</summary>
    private static int WriteLength(int length, Span<byte> destination)
    {
        const int PrefixMax = 0x7F;
        if (length < PrefixMax)
        {
            destination[0] = (byte)length;
            return 1;
        }
        destination[0] = PrefixMax;
        var written = 1;
        var rest = length - PrefixMax;
        while (rest >= 0x80)
        {
            destination[written++] = (byte)((rest & 0x7F) | 0x80);
            rest >>= 7;
        }
        destination[written++] = (byte)rest;
        return written;
    }
}
