namespace CnnDistributed.Core.Training;

/// <summary>
/// Where the sum of node <paramref name="node"/> (its index in a list of tree nodes) goes: one parameter vector.
/// </summary>
public delegate Span<float> NodeSumDestination(int node);
