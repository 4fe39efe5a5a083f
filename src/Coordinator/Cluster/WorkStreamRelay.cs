using CnnDistributed.Protocol.V1;
using Grpc.Core;

namespace CnnDistributed.Coordinator.Cluster;

/// <summary>Pumps one worker's work stream: assignments from its outbox to the wire, results from the wire to its inbox.</summary>
public sealed class WorkStreamRelay(WorkerRegistry registry)
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    public async Task RunAsync(string? workerId, IAsyncStreamReader<WorkerMessage> requests, IServerStreamWriter<CoordinatorMessage> responses, CancellationToken cancellationToken)
    {
        var worker = registry.Attach(workerId);
        try
        {
            var reading = ReadResultsAsync(worker, requests, cancellationToken);
            try
            {
                await foreach (var message in worker.Outbox.ReadAllAsync(cancellationToken))
                {
                    await responses.WriteAsync(message, cancellationToken);
                }
            }
            catch (Exception e) when ((e as WorkerDroppedException ?? e.InnerException as WorkerDroppedException) is { } dropped)
            {
                throw new RpcException(new Status(StatusCode.Aborted, dropped.Message));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
                registry.Lost(worker, $"work stream failed: {e.Message}");
                return;
            }
            await reading.WaitAsync(CloseGrace, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            worker.MarkStreamEnded();
        }
    }

    private async Task ReadResultsAsync(WorkerConnection worker, IAsyncStreamReader<WorkerMessage> requests, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                if (requests.Current.KindCase == WorkerMessage.KindOneofCase.Result)
                {
                    worker.Deliver(requests.Current.Result);
                }
            }
            registry.Lost(worker, "worker closed its work stream");
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
            registry.Lost(worker, $"work stream broke: {e.Message}");
        }
    }
}
