using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using CnnDistributed.Worker.Runtime.Assignments;
using Google.Protobuf;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// Plays a <see cref="ScriptedWorker"/> that computes its assignments on the CPU engine as a real worker does, and hands
/// each result to the test first: the test may return it, a changed one (a liar), or null (the worker falls silent and
/// stops). Runs until the job closes the stream, then ends it.
/// </summary>
public static class ComputingScriptedWorker
{
    public delegate StepResult? Answer(StepAssignment assignment, StepResult honest);

    /// <summary>Answers <paramref name="worker"/>'s assignments through <paramref name="answer"/> (null: honestly).</summary>
    /// <param name="worker">The scripted worker to play.</param>
    /// <param name="answer">What to send for each assignment, given the honest result.</param>
    /// <param name="delivered">Called with the step of each result once it was handed to the coordinator.</param>
    public static async Task RunAsync(ScriptedWorker worker, Answer? answer = null, Action<long>? delivered = null)
    {
        using var runner = new ShardRunner(new CpuBackend(1, Core.Engine.InputScaling.UnitRange), ShortTrainingRun.ShardCount, TimeProvider.System);
        while (!worker.Connection.Closed.IsCompleted && await NextAsync(worker) is { } assignment)
        {
            var honest = Detached(runner.Run(assignment));
            if ((answer is null ? honest : answer(assignment, honest)) is not { } result)
            {
                break;
            }
            worker.Connection.Deliver(new ReceivedResult(result));
            delivered?.Invoke(assignment.StepId);
        }
        worker.Connection.MarkStreamEnded();
    }

    /// <summary>Every gradient of <paramref name="result"/> times <paramref name="factor"/>.</summary>
    public static StepResult Scaled(StepResult result, float factor)
    {
        foreach (var node in result.Nodes)
        {
            var values = node.GradientSum.ToByteArray();
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(values.AsSpan());
            System.Numerics.Tensors.TensorPrimitives.Multiply(floats, factor, floats);
            node.GradientSum = ByteString.CopyFrom(values);
        }
        return result;
    }

    /// <summary>The worker's next assignment, or null once the job dropped or shut it.</summary>
    public static async Task<StepAssignment?> NextAsync(ScriptedWorker worker)
    {
        try
        {
            var next = worker.NextAssignmentAsync();
            if (await Task.WhenAny(next, worker.Connection.Closed) != next)
            {
                return null; // dropped: no message comes
            }
            return await next;
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            return null; // the job's shutdown or drop, or no more work
        }
    }

    /// <summary>The result with its gradients copied: a runner reuses its node buffers on its next assignment.</summary>
    public static StepResult Detached(StepResult result)
    {
        foreach (var node in result.Nodes)
        {
            node.GradientSum = ByteString.CopyFrom(node.GradientSum.Span);
        }
        return result;
    }
}
