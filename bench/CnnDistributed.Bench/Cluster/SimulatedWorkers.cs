using CnnDistributed.Coordinator.Execution;
using CnnDistributed.Core.Engine;
using CnnDistributed.Worker.Runtime.Backends;
using Microsoft.Extensions.Logging.Abstractions;

namespace CnnDistributed.Bench.Cluster;

/// <summary>
/// Workers for the coordinator capacity bench: the real worker runtime, its HTTP/2 client and message readers, in this
/// process, each computing with a <see cref="SimulatedBackend"/>. Their own cost lands on the same cores as the
/// coordinator's, so the bench reports process CPU per step beside the coordinator's share.
/// </summary>
internal static class SimulatedWorkers
{
    public static InProcessWorkers Start(Uri coordinator, int count) =>
        InProcessWorkers.Start(coordinator, count, 1, _ => new Factory(), tls: null, NullLoggerFactory.Instance, new FixedComputeClock());

    private sealed class Factory : IWorkerBackendFactory
    {
        public string DeviceKind => SimulatedBackend.Kind;

        public string DeviceChoice => "simulated: computes nothing";

        public IComputeBackend Create(InputScaling scaling) => new SimulatedBackend();
    }

    /// <summary>
    /// The workers' clock: on each thread every reading is one microsecond after the last, so each assignment (timed on
    /// the thread that computes it) reports one microsecond of compute and the coordinator sees workers of equal speed,
    /// splitting every step evenly as it would among identical nodes. Timers are the system's, so keep-alive pings and
    /// retries run in real time.
    /// </summary>
    private sealed class FixedComputeClock : TimeProvider
    {
        [ThreadStatic]
        private static long _ticks;

        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => ++_ticks;
    }
}
