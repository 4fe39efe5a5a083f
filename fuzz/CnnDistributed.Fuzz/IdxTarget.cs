using System.Buffers.Binary;
using System.IO.Compression;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Model;

namespace CnnDistributed.Fuzz;

/// <summary>
/// The MNIST IDX reader (<see cref="IdxReader"/>): every input is opened both as an images and as a labels file,
/// gzip-compressed when it starts with the gzip magic; a file that cannot be used is refused with
/// <see cref="DataFormatException"/>.
/// </summary>
internal sealed class IdxTarget : IFuzzTarget
{
    public string Name => "idx";

    public void Run(byte[] input)
    {
        var path = ScratchFile.Write(input, input is [0x1F, 0x8B, ..] ? ".idx.gz" : ".idx");
        foreach (var open in new Func<string, IdxReader>[] { IdxReader.OpenImages, IdxReader.OpenLabels })
        {
            try
            {
                using var reader = open(path);
                reader.ReadPayload();
            }
            catch (DataFormatException)
            {
            }
        }
    }

    public IReadOnlyDictionary<string, byte[]> Seeds()
    {
        var images = new byte[IdxReader.ImagesHeaderLength + 2 * ModelShape.Pixels];
        BinaryPrimitives.WriteInt32BigEndian(images, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), 2);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), ModelShape.ImageSide);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), ModelShape.ImageSide);
        images[IdxReader.ImagesHeaderLength + 100] = 255;
        var labels = new byte[IdxReader.LabelsHeaderLength + 3];
        BinaryPrimitives.WriteInt32BigEndian(labels, IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), 3);
        labels[^2] = 7;
        labels[^1] = 9;
        return new Dictionary<string, byte[]>
        {
            ["images"] = images,
            ["labels"] = labels,
            ["images.gz"] = Gzip(images),
            ["labels.gz"] = Gzip(labels),
        };
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }
}
