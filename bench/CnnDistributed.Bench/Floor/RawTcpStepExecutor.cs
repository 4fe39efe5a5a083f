using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Runtime.InteropServices;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol;

namespace CnnDistributed.Bench.Floor;

/// <summary>
/// The transport floor that <c>bench --what tcp-floor</c> sets against the gRPC step path: the same shards, CPU kernels,
/// per-worker pre-sums and tree sum as a distributed job (so the gradient is bit-identical), but every worker is a
/// dedicated thread on a blocking loopback TCP socket and a message is raw bytes: no HTTP/2, no gRPC, no thread-pool
/// hand-offs, one user-space copy each way. Whatever the real step path costs beyond this is protocol and scheduling.
/// Simulated workers (<c>bench --what coordinator-tcp-floor</c>) answer at once with a gradient of zeros.
/// Benchmark only: peers are trusted and a failure ends the run.
/// </summary>
internal sealed class RawTcpStepExecutor : IStepExecutor
{
    // Down: shard start, shard count n, n sample counts (int32 each), the weights, then the range's pixels and labels.
    // Up: n shard statistics (float64 loss sum, int32 correct, int32 samples), then the range's pre-summed gradient.
    private const int StatsBytes = 16;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly int _shardsPerWorker;
    private readonly Socket[] _workers;
    private readonly Thread[] _threads;
    private readonly float[][] _nodes;
    private readonly WorkerNodes _workerNodes;
    private readonly GradientTreeSum _treeSum;
    private readonly byte[] _statsBytes;
    private readonly ShardStats[] _stats;
    private byte[] _message = [];
    private volatile Exception? _workerFailure;

    public RawTcpStepExecutor(int workers, int threadsPerWorker, int shardCount, bool simulated = false)
    {
        GradientTree.RequirePowerOfTwo(shardCount);
        if (!TakesShape(workers, shardCount))
        {
            throw new ArgumentOutOfRangeException(nameof(workers), $"the floor gives each worker one aligned tree node: 1 to {shardCount} workers, a power of two (got {workers})");
        }
        _shardsPerWorker = shardCount / workers;
        _nodes = new float[workers][];
        _workerNodes = new WorkerNodes(_nodes, _shardsPerWorker);
        _treeSum = new GradientTreeSum(shardCount);
        _statsBytes = new byte[_shardsPerWorker * StatsBytes];
        _stats = new ShardStats[shardCount];
        _workers = new Socket[workers];
        _threads = new Thread[workers];
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(workers);
        var endPoint = listener.LocalEndPoint!;
        for (var w = 0; w < workers; w++)
        {
            _nodes[w] = new float[ModelShape.ParameterCount];
            _threads[w] = new Thread(() => Serve(endPoint, threadsPerWorker, simulated)) { IsBackground = true, Name = $"tcp-floor worker {w}" };
            _threads[w].Start();
            _workers[w] = AcceptWorker(listener);
            _workers[w].NoDelay = true;
        }
    }

    public string DeviceKind => CpuKernelTiers.DeviceKind(CpuKernelTier.Best);

    /// <summary>Whether the floor can run the job: each worker takes one aligned tree node, so 1 to <paramref name="shardCount"/> workers, a power of two.</summary>
    public static bool TakesShape(int workers, int shardCount) => workers >= 1 && workers <= shardCount && BitOperations.IsPow2(workers);

    public int Workers => _workers.Length;

    public ValueTask<ShardStats> ComputeAsync(StepWork work, float[] parameters, float[] gradientSum, CancellationToken cancellationToken)
    {
        if (work.Shards.Count != _stats.Length)
        {
            throw new ArgumentException($"step has {work.Shards.Count} shards, the floor was built for {_stats.Length}", nameof(work));
        }
        for (var w = 0; w < _workers.Length; w++)
        {
            var length = WriteAssignment(work, w * _shardsPerWorker, parameters);
            _workers[w].Send(_message, 0, length, SocketFlags.None);
        }
        for (var w = 0; w < _workers.Length; w++)
        {
            Receive(_workers[w], _statsBytes);
            Receive(_workers[w], MemoryMarshal.AsBytes(_nodes[w].AsSpan()));
            for (var s = 0; s < _shardsPerWorker; s++)
            {
                var stats = _statsBytes.AsSpan(s * StatsBytes, StatsBytes);
                _stats[w * _shardsPerWorker + s] = new ShardStats(BinaryPrimitives.ReadDoubleLittleEndian(stats), BinaryPrimitives.ReadInt32LittleEndian(stats[8..]), BinaryPrimitives.ReadInt32LittleEndian(stats[12..]));
            }
        }
        _treeSum.SumInto(new TreeNode(0, _stats.Length), _workerNodes, gradientSum);
        var total = default(ShardStats);
        foreach (var s in _stats)
        {
            total += s;
        }
        return ValueTask.FromResult(total);
    }

    public ValueTask DisposeAsync()
    {
        var stop = new byte[8];
        foreach (var worker in _workers)
        {
            try
            {
                worker.Send(stop);
            }
            catch (SocketException)
            {
                // The worker is gone already; joining it below returns at once.
            }
        }
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes the assignment of the aligned node starting at <paramref name="start"/> into the message buffer; returns its length.</summary>
    private int WriteAssignment(StepWork work, int start, float[] parameters)
    {
        var samples = 0;
        for (var s = start; s < start + _shardsPerWorker; s++)
        {
            samples += work.Shards[s].Count;
        }
        var length = 8 + 4 * _shardsPerWorker + ProtocolLimits.TensorBytes + samples * (ModelShape.Pixels + 1);
        if (_message.Length < length)
        {
            _message = new byte[length];
        }
        var span = _message.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, start);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], _shardsPerWorker);
        var at = 8;
        for (var s = start; s < start + _shardsPerWorker; s++, at += 4)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], work.Shards[s].Count);
        }
        MemoryMarshal.AsBytes(parameters.AsSpan()).CopyTo(span[at..]);
        at += ProtocolLimits.TensorBytes;
        for (var s = start; s < start + _shardsPerWorker; s++)
        {
            work.Shards[s].Pixels.Span.CopyTo(span[at..]);
            at += work.Shards[s].Pixels.Length;
        }
        for (var s = start; s < start + _shardsPerWorker; s++)
        {
            work.Shards[s].Labels.Span.CopyTo(span[at..]);
            at += work.Shards[s].Labels.Length;
        }
        return at;
    }

    /// <summary>A worker: receives an assignment, computes and pre-sums its shards, sends the result; until a message with no shards.</summary>
    private void Serve(EndPoint coordinator, int threads, bool simulated)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(coordinator);
            using var backend = simulated ? null : new CpuBackend(threads, InputScaling.UnitRange);
            var header = new byte[8];
            var counts = new byte[4 * _shardsPerWorker];
            var weights = new float[ModelShape.ParameterCount];
            var leaves = new float[_shardsPerWorker][];
            for (var i = 0; i < leaves.Length; i++)
            {
                leaves[i] = new float[ModelShape.ParameterCount];
            }
            var shardLeaves = new ShardGradients(leaves);
            var treeSum = new GradientTreeSum(_shardsPerWorker);
            var stats = new ShardStats[_shardsPerWorker];
            var shards = new ShardSamples[_shardsPerWorker];
            var reply = new byte[_shardsPerWorker * StatsBytes + ProtocolLimits.TensorBytes];
            var samples = Array.Empty<byte>();
            while (true)
            {
                Receive(socket, header);
                if (BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)) == 0)
                {
                    return;
                }
                Receive(socket, counts);
                Receive(socket, MemoryMarshal.AsBytes(weights.AsSpan()));
                var total = 0;
                for (var s = 0; s < shards.Length; s++)
                {
                    total += BinaryPrimitives.ReadInt32LittleEndian(counts.AsSpan(4 * s));
                }
                if (samples.Length < total * (ModelShape.Pixels + 1))
                {
                    samples = new byte[total * (ModelShape.Pixels + 1)];
                }
                Receive(socket, samples.AsSpan(0, total * (ModelShape.Pixels + 1)));
                var all = ShardSamples.Create(samples.AsMemory(0, total * ModelShape.Pixels), samples.AsMemory(total * ModelShape.Pixels, total));
                for (int s = 0, first = 0; s < shards.Length; s++)
                {
                    var count = BinaryPrimitives.ReadInt32LittleEndian(counts.AsSpan(4 * s));
                    shards[s] = all.Slice(first, count);
                    first += count;
                }
                if (simulated)
                {
                    for (var s = 0; s < shards.Length; s++)
                    {
                        stats[s] = new ShardStats(0, 0, shards[s].Count);
                    }
                }
                else
                {
                    backend!.ComputeGradients(weights, shards, leaves, stats);
                }
                for (var s = 0; s < stats.Length; s++)
                {
                    var slot = reply.AsSpan(s * StatsBytes, StatsBytes);
                    BinaryPrimitives.WriteDoubleLittleEndian(slot, stats[s].LossSum);
                    BinaryPrimitives.WriteInt32LittleEndian(slot[8..], stats[s].Correct);
                    BinaryPrimitives.WriteInt32LittleEndian(slot[12..], stats[s].Samples);
                }
                if (!simulated)
                {
                    treeSum.SumInto(new TreeNode(0, leaves.Length), shardLeaves, MemoryMarshal.Cast<byte, float>(reply.AsSpan(stats.Length * StatsBytes)));
                }
                socket.Send(reply);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            _workerFailure = e;
        }
    }

    private Socket AcceptWorker(Socket listener)
    {
        try
        {
            return listener.AcceptAsync().WaitAsync(ConnectTimeout).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new IOException($"a tcp-floor worker did not connect within {ConnectTimeout.TotalSeconds:0} s{(_workerFailure is { } failure ? $": {failure.Message}" : "")}");
        }
    }

    private void Receive(Socket socket, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var received = socket.Receive(buffer);
            if (received == 0)
            {
                throw new IOException($"a tcp-floor peer closed its socket{(_workerFailure is { } failure ? $": {failure.Message}" : "")}");
            }
            buffer = buffer[received..];
        }
    }

    /// <summary>Each worker's pre-summed gradient as the tree node it covers.</summary>
    private sealed class WorkerNodes(float[][] nodes, int shardsPerWorker) : ITreeNodeGradients
    {
        public bool TryGet(TreeNode node, out ReadOnlySpan<float> gradient)
        {
            var known = node.Size == shardsPerWorker;
            gradient = known ? nodes[node.Start / shardsPerWorker] : default;
            return known;
        }
    }
}
