namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// Tests that measure what this whole process allocates during an attack: they run after every parallel test, one at
/// a time, so no other test's allocations count against their bound.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurementCollection
{
    public const string Name = "allocation measurement";
}
