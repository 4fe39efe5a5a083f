using CnnDistributed.Core.Engine;
using CnnDistributed.Worker.Runtime.Backends;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// CPU worker backends made slow or stuck on purpose: every gradient computation first sleeps <see cref="Delay"/>
/// (a straggler), and from call number <see cref="StallFromCall"/> on it blocks until <see cref="Release"/> (a worker
/// that stops answering while its connection stays open). <see cref="StalledAt"/> records when the stall began.
/// </summary>
public sealed class DelayingBackendFactory(int threads) : IWorkerBackendFactory
{
    private static readonly TimeSpan LongestStall = TimeSpan.FromSeconds(60);

    private readonly WorkerBackendFactory _inner = new("cpu", threads);
    private readonly ManualResetEventSlim _released = new();
    private int _calls;

    public TimeSpan Delay { get; init; }

    /// <summary>1-based call that stalls, and every later one; null never stalls.</summary>
    public int? StallFromCall { get; init; }

    /// <summary><see cref="TimeProvider.System"/> timestamp at which the first stalled call began, or null.</summary>
    public long? StalledAt { get; private set; }

    public string DeviceKind => _inner.DeviceKind;

    public string DeviceChoice => _inner.DeviceChoice;

    public IComputeBackend Create(InputScaling scaling) => new DelayingBackend(_inner.Create(scaling), this);

    /// <summary>Lets stalled calls finish (their results then arrive late).</summary>
    public void Release() => _released.Set();

    private void BeforeCompute()
    {
        var call = Interlocked.Increment(ref _calls);
        if (Delay > TimeSpan.Zero)
        {
            Thread.Sleep(Delay);
        }
        if (call >= StallFromCall)
        {
            StalledAt ??= TimeProvider.System.GetTimestamp();
            _released.Wait(LongestStall);
        }
    }

    private sealed class DelayingBackend(IComputeBackend inner, DelayingBackendFactory owner) : IComputeBackend
    {
        public string DeviceKind => inner.DeviceKind;

        public void ComputeGradients(ReadOnlySpan<float> parameters, IReadOnlyList<ShardSamples> shards, IReadOnlyList<float[]> gradients, Span<ShardStats> stats)
        {
            owner.BeforeCompute();
            inner.ComputeGradients(parameters, shards, gradients, stats);
        }

        public void Evaluate(ReadOnlySpan<float> parameters, ShardSamples samples, Span<float> losses, Span<byte> predictions) =>
            inner.Evaluate(parameters, samples, losses, predictions);

        public void Dispose() => inner.Dispose();
    }
}
