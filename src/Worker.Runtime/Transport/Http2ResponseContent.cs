using System.Net;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>A response body of unknown length that is read as it arrives (<see cref="Http2ResponseStream"/>).</summary>
internal sealed class Http2ResponseContent(Http2ResponseStream body) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        body.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(
        Stream stream,
        TransportContext? context,
        CancellationToken cancellationToken) =>
        body.CopyToAsync(stream, cancellationToken);

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(body);

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(body);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
        }
        base.Dispose(disposing);
    }
}
