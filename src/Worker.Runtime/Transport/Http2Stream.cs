using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace CnnDistributed.Worker.Runtime.Transport;

/// <summary>
/// One request on an <see cref="Http2Connection"/>: the response that completes when its headers arrive, the body
/// received so far (a pipe the reader loop fills and the caller drains), and this stream's flow-control counters.
/// Every field but the pipe's reader side is guarded by the connection's lock.
/// </summary>
internal sealed class Http2Stream(int id, HttpRequestMessage request, long sendWindow, long receiveWindow)
{
    private HttpResponseMessage? _response;

    public int Id { get; } = id;

    /// <summary>Bytes the peer lets this stream send before its next WINDOW_UPDATE.</summary>
    public long SendWindow { get; set; } = sendWindow;

    /// <summary>Bytes the peer may still send on this stream before this side grants more.</summary>
    public long ReceiveWindow { get; set; } = receiveWindow;

    /// <summary>Received body bytes not yet read by the caller.</summary>
    public long Buffered { get; set; }

    /// <summary>Read bytes not yet returned to the peer by a WINDOW_UPDATE.</summary>
    public long ReadNotGranted { get; set; }

    public bool LocalEnded { get; set; }

    public bool RemoteEnded { get; private set; }

    /// <summary>Reset by either side, or dropped by the caller: nothing more is sent or delivered.</summary>
    public bool Closed { get; private set; }

    public TaskCompletionSource<HttpResponseMessage> Response { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The received body. Its reader resumes on the thread pool, never inline on the connection's reader loop: a worker
    /// computes in that continuation, and the loop must keep answering pings meanwhile (tested by
    /// <c>ACallerThatBlocksTheThreadItResumedOnStillAnswersTheServersPings</c>).
    /// </summary>
    public Pipe Body { get; } = new(new PipeOptions(
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        minimumSegmentSize: 64 * 1024,
        useSynchronizationContext: false));

    public bool Finished => Closed || (LocalEnded && RemoteEnded);

    public void OnHeaders(List<KeyValuePair<string, string>> fields, bool endStream, Http2Connection connection)
    {
        if (_response is null)
        {
            var status = fields.Find(field => field.Key == ":status").Value;
            if (!int.TryParse(status, out var code))
            {
                throw new Http2ProtocolException($"response on stream {Id} has no valid :status");
            }
            if (code is >= 100 and < 200)
            {
                return;
            }
            _response = new HttpResponseMessage((HttpStatusCode)code)
            {
                Version = HttpVersion.Version20,
                RequestMessage = request,
                Content = new Http2ResponseContent(new Http2ResponseStream(this, connection)),
            };
            foreach (var (name, value) in fields)
            {
                if (name[0] != ':' && !_response.Headers.TryAddWithoutValidation(name, value))
                {
                    _response.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }
            if (endStream)
            {
                End();
            }
            Response.TrySetResult(_response);
            return;
        }
        if (!endStream)
        {
            throw new Http2ProtocolException($"trailers on stream {Id} do not end it");
        }
        foreach (var (name, value) in fields)
        {
            _response.TrailingHeaders.TryAddWithoutValidation(name, value);
        }
        End();
    }

    public void OnData(ReadOnlySpan<byte> payload, bool endStream)
    {
        if (_response is null)
        {
            throw new Http2ProtocolException($"data on stream {Id} before its response headers");
        }
        Body.Writer.Write(payload);
        Buffered += payload.Length;
        _ = Body.Writer.FlushAsync();
        if (endStream)
        {
            End();
        }
    }

    /// <summary>Fails whatever the caller still waits for; the body reader sees <paramref name="error"/>.</summary>
    public void Close(Exception error)
    {
        if (Closed)
        {
            return;
        }
        Closed = true;
        Response.TrySetException(error);
        if (!RemoteEnded)
        {
            RemoteEnded = true;
            Body.Writer.Complete(error);
        }
    }

    /// <summary>
    /// The peer stopped the stream after it had answered in full (RST_STREAM NO_ERROR): stop sending.
    /// </summary>
    public void StopSending() => Closed = true;

    private void End()
    {
        RemoteEnded = true;
        Body.Writer.Complete();
    }
}
