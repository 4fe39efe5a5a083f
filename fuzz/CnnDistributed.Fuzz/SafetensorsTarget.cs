using System.Buffers.Binary;
using CnnDistributed.Core.Checkpoints;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Fuzz;

/// <summary>
/// The safetensors reader of <c>--init-weights</c> and <c>evaluate</c> (<see cref="SafetensorsFile"/>); a file that
/// cannot be used is refused with <see cref="DataFormatException"/>.
/// </summary>
internal sealed class SafetensorsTarget : IFuzzTarget
{
    public string Name => "safetensors";

    public void Run(byte[] input)
    {
        try
        {
            SafetensorsFile.Read(ScratchFile.Write(input, ".safetensors"));
        }
        catch (DataFormatException)
        {
        }
    }

    public IReadOnlyDictionary<string, byte[]> Seeds()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cnnd-fuzz-seed-{Environment.ProcessId}.safetensors");
        SafetensorsFile.Write(path, WeightInitializer.Create(1));
        var file = File.ReadAllBytes(path);
        File.Delete(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return new Dictionary<string, byte[]>
        {
            ["weights"] = file,
            ["header-only"] = file[..(sizeof(ulong) + headerLength)],
        };
    }
}
