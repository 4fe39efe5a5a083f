using CnnDistributed.Worker.Runtime.Transport.Hpack;

namespace CnnDistributed.Fuzz;

/// <summary>
/// The HPACK decoder of the worker's HTTP/2 client (<see cref="HpackDecoder"/>), one header block per input with a
/// fresh dynamic table; a block that does not decode is refused with <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class HpackTarget : IFuzzTarget
{
    public string Name => "hpack";

    public void Run(byte[] input)
    {
        try
        {
            new HpackDecoder().Decode(input, new List<KeyValuePair<string, string>>());
        }
        catch (InvalidDataException)
        {
        }
    }

    public IReadOnlyDictionary<string, byte[]> Seeds() => new Dictionary<string, byte[]>
    {
        // RFC 7541 C.3.1 and C.4.1: a request without and with Huffman coding.
        ["request"] = Convert.FromHexString("828684410f7777772e6578616d706c652e636f6d"),
        ["request-huffman"] = Convert.FromHexString("828684418cf1e3c2e5f23a6ba0ab90f4ff"),
        // A table size update to 4,096, :status 200, a literal added to the dynamic table, then that entry by index.
        ["dynamic-table"] = Convert.FromHexString("3fe11f88400b677270632d7374617475730130be"),
    };
}
