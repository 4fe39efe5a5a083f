namespace CnnDistributed.Fuzz;

/// <summary>Every parser that takes bytes from outside the process, one target each.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new WorkerMessageTarget(),
        new CoordinatorMessageTarget(),
        new Http2FramesTarget(),
        new HpackTarget(),
        new IdxTarget(),
        new SafetensorsTarget(),
        new CheckpointTarget(),
    ];

    public static IFuzzTarget? Find(string name) => All.FirstOrDefault(target => target.Name == name);
}
