using CnnDistributed.Core.Engine;

namespace CnnDistributed.Core.Training;

/// <summary>One optimizer step's work: the minibatch already cut into its fixed shards (some may be empty).</summary>
public sealed record StepWork(long Step, int Epoch, int BatchCount, IReadOnlyList<ShardSamples> Shards);
