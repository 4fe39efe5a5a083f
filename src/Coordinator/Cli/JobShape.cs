using CnnDistributed.Core.Engine;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>What a <see cref="TrainingExecution"/> is made of: local workers (0: the engine in this process), threads per worker, shards per minibatch, input scaling and device.</summary>
public sealed record JobShape(int Workers, int Threads, int Shards, InputScaling Scaling, string Device);
