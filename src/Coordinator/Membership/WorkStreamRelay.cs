using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Grpc.Core;

namespace CnnDistributed.Coordinator.Membership;

/// <summary>
/// Serves one worker's work stream: hands the stream writer to its <see cref="WorkerConnection"/> (the step path
/// writes assignments itself), delivers results from the wire, and ends the call when the job drops or releases it.
/// </summary>
public sealed class WorkStreamRelay(WorkerRegistry registry)
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    public async Task RunAsync(
        string? workerId,
        WorkerPeer peer,
        IAsyncStreamReader<ReceivedResult> requests,
        IServerStreamWriter<CoordinatorMessage> responses,
        CancellationToken cancellationToken)
    {
        var worker = registry.Attach(workerId, peer, responses);
        // The reader must have stopped before the call ends: Kestrel reuses a finished stream's request body for the
        // connection's next request, and a read still pending there fails that request ("reading is already in
        // progress").
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = ReadResultsAsync(worker, requests, stopReading.Token);
        try
        {
            string? dropped;
            try
            {
                dropped = await worker.Closed.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The call's token fires when the worker's connection closes or its call is cancelled: say that, not
                // the exception's text.
                registry.Lost(worker, "its work stream ended: the connection closed or the call was cancelled");
                return;
            }
            if (dropped is not null)
            {
                throw new RpcException(new Status(StatusCode.Aborted, dropped));
            }
            await reading.WaitAsync(CloseGrace, cancellationToken)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            await stopReading.CancelAsync();
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            worker.MarkStreamEnded();
        }
    }

    private async Task ReadResultsAsync(
        WorkerConnection worker,
        IAsyncStreamReader<ReceivedResult> requests,
        CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                var received = requests.Current;
                if (received.Result is { } result && !worker.Deliver(received))
                {
                    received.Release();
                    registry.Drop(
                        worker, $"result for unknown step {result.StepId} (no step in progress for this worker)");
                }
            }
            registry.Lost(worker, "worker closed its work stream");
        }
        catch (InvalidDataException e)
        {
            registry.Drop(worker, $"malformed message during step {worker.LastAssignedStep}: {e.Message}");
        }
        catch (Exception e)
            when (e is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
            registry.Lost(worker, $"work stream broke: {e.Message}");
        }
    }
}
