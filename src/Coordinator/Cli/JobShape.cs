using CnnDistributed.Core.Engine;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>What a <see cref="TrainingExecution"/> is made of: local workers (0: the engine in this process), threads per worker, shards per minibatch, input scaling, device, and how long a step waits for a worker when none is left.</summary>
public sealed record JobShape(int Workers, int Threads, int Shards, InputScaling Scaling, string Device, double WorkerWaitSeconds = 120);
